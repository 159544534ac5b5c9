import type Mail from "nodemailer/lib/mailer/index.js";
import type { OutgoingMessage } from "../domain/ports.js";

/** Nodemailer options for one outgoing message. */
export function toMailOptions(message: OutgoingMessage): Mail.Options {
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
  return options;
}
