import nodemailer, { type Transporter } from "nodemailer";
import type SMTPTransport from "nodemailer/lib/smtp-transport/index.js";
import type { Mailer, OutgoingMessage, SendReceipt } from "../domain/ports.js";
import { toDeliveryError } from "./errors.js";
import { dkimOptions, type MailerSigning, toMailOptions } from "./message.js";

/** Where and how to reach an SMTP server. */
export interface SmtpSettings {
  /** smtp:// or smtps:// URL; when given, host, port, secure and user are read from it. */
  url?: string;
  host: string;
  port: number;
  secure: boolean;
  user?: string;
  password?: string;
  tlsRejectUnauthorized: boolean;
}

/** Delivers through an SMTP server with Nodemailer. */
export class SmtpMailer implements Mailer {
  readonly kind = "smtp";
  private readonly transport: Transporter<SMTPTransport.SentMessageInfo>;
  private readonly where: string;

  constructor(
    settings: SmtpSettings,
    private readonly signing: MailerSigning = {},
  ) {
    const tls = { rejectUnauthorized: settings.tlsRejectUnauthorized };
    const dkim = dkimOptions(signing);
    if (settings.url) {
      const url = new URL(settings.url);
      if (settings.password && !url.password) url.password = encodeURIComponent(settings.password);
      this.where = `smtp ${url.hostname}:${url.port || (url.protocol === "smtps:" ? 465 : 587)}`;
      this.transport = nodemailer.createTransport(
        { url: url.toString(), tls } as never,
        dkim ? ({ dkim } as never) : undefined,
      );
    } else {
      this.where = `smtp ${settings.host}:${settings.port}`;
      const options: SMTPTransport.Options = {
        host: settings.host,
        port: settings.port,
        secure: settings.secure,
        tls,
      };
      if (dkim) options.dkim = dkim;
      if (settings.user) options.auth = { user: settings.user, pass: settings.password ?? "" };
      this.transport = nodemailer.createTransport(options);
    }
  }

  async send(message: OutgoingMessage): Promise<SendReceipt> {
    try {
      const info = await this.transport.sendMail(toMailOptions(message, this.signing));
      return { messageId: info.messageId, response: info.response, location: this.where };
    } catch (cause) {
      throw toDeliveryError(cause, this.where);
    }
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}
