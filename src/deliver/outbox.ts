import { mkdir, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import nodemailer from "nodemailer";
import type { Mailer, OutgoingMessage, SendReceipt } from "../domain/ports.js";
import { AppError } from "../shared/errors.js";
import { toDeliveryError } from "./errors.js";
import { dkimOptions, type MailerSigning, toMailOptions } from "./message.js";

/**
 * The embedded default transport: each message becomes an RFC 5322 .eml file in a folder,
 * built by Nodemailer exactly as it would go over SMTP. Needs no mail server.
 */
export class OutboxMailer implements Mailer {
  readonly kind = "outbox";
  /** Files are written one at a time. */
  readonly concurrency = 1;
  private readonly transport;

  constructor(
    private readonly folder: string,
    private readonly signing: MailerSigning = {},
  ) {
    const dkim = dkimOptions(signing);
    this.transport = nodemailer.createTransport({
      streamTransport: true,
      buffer: true,
      newline: "windows",
      ...(dkim ? { dkim } : {}),
    });
  }

  async send(message: OutgoingMessage): Promise<SendReceipt> {
    let raw: Buffer;
    try {
      const info = await this.transport.sendMail(toMailOptions(message, this.signing));
      raw = info.message as Buffer;
    } catch (cause) {
      throw toDeliveryError(cause, "outbox");
    }
    const file = path.join(this.folder, outboxFileName(message));
    try {
      await mkdir(this.folder, { recursive: true });
      await writeFile(`${file}.tmp`, raw);
      await rename(`${file}.tmp`, file);
    } catch (cause) {
      throw new AppError("MAIL_SEND", `deliver: outbox: cannot write ${file}`, { cause });
    }
    return { messageId: message.messageId, response: "250 written to outbox", location: file };
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}

/** A file name derived from the Message-ID, so a resend overwrites instead of duplicating. */
function outboxFileName(message: OutgoingMessage): string {
  const id = message.messageId.replace(/^<|>$/g, "").replace(/[^A-Za-z0-9._@-]+/g, "_");
  return `${id}.eml`;
}
