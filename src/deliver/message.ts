import type Mail from "nodemailer/lib/mailer/index.js";
import type { OutgoingMessage } from "../domain/ports.js";
import { parseMailbox } from "./raw.js";

/** What every message of a mailer carries besides its own fields. */
export interface MailerSigning {
  /** Envelope sender (MAIL FROM), where bounces go; default: the From address. */
  envelopeFrom?: string;
  /** DKIM signing (RFC 6376) of every message. */
  dkim?: { domain: string; selector: string; privateKey: string };
}

/** Nodemailer's DKIM options for the signing settings, if any. */
export function dkimOptions(signing: MailerSigning | undefined) {
  const dkim = signing?.dkim;
  if (!dkim) return undefined;
  return {
    domainName: dkim.domain,
    keySelector: dkim.selector,
    privateKey: dkim.privateKey,
    // Sign what a list message is judged by; List-Unsubscribe must be signed for one-click.
    headerFieldNames:
      "From:Sender:Reply-To:Subject:Date:Message-ID:To:Cc:MIME-Version:Content-Type:Content-Transfer-Encoding:List-Id:List-Unsubscribe:List-Unsubscribe-Post",
  };
}

/** Nodemailer options for one outgoing message. */
export function toMailOptions(message: OutgoingMessage, signing?: MailerSigning): Mail.Options {
  if (message.raw) {
    // Built already: Nodemailer only signs and sends it, to the envelope given here.
    return {
      envelope: {
        from: signing?.envelopeFrom ?? parseMailbox(message.from).address,
        to: message.to.address,
      },
      messageId: message.messageId,
      raw: message.raw,
    };
  }
  const options: Mail.Options = {
    from: message.from,
    to: message.to.name
      ? { name: message.to.name, address: message.to.address }
      : message.to.address,
    subject: message.subject,
    html: message.html,
    text: message.text,
    messageId: message.messageId,
    date: message.date,
    headers: message.headers,
    textEncoding: "quoted-printable",
  };
  if (message.replyTo) options.replyTo = message.replyTo;
  if (signing?.envelopeFrom) {
    options.envelope = { from: signing.envelopeFrom, to: message.to.address };
  }
  return options;
}
