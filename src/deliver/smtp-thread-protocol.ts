import type { OutgoingMessage, SendReceipt } from "../domain/ports.js";
import { AppError, type ErrorCode, isAppError } from "../shared/errors.js";
import type { MailerSigning } from "./message.js";
import type { SmtpPoolSettings, SmtpSettings } from "./smtp.js";

/** What the SMTP thread is started with (its workerData). */
export interface ThreadSettings {
  servers: SmtpSettings[];
  signing: MailerSigning;
  pool: Partial<Omit<SmtpPoolSettings, "now">>;
}

/** A message as it crosses to the thread: plain data, bytes as they are. */
export type ThreadMessage = Omit<OutgoingMessage, "date" | "raw"> & {
  date: number;
  raw?: Uint8Array;
};

/** The main thread to the SMTP thread. */
export type ToThread = { type: "send"; id: number; message: ThreadMessage } | { type: "close" };

/** A delivery error as it crosses back: its code and text, and the SMTP reply behind it. */
export interface ThreadError {
  code?: ErrorCode;
  message: string;
  /** The transport's own error (Nodemailer's code, reply code and reply), when there was one. */
  cause?: { message: string; code?: string; responseCode?: number; response?: string };
}

/** The SMTP thread to the main thread. */
export type FromThread =
  | { type: "sent"; id: number; receipt: SendReceipt }
  | { type: "failed"; id: number; error: ThreadError }
  | { type: "closed" };

/**
 * The fields of a message the transport reads, copied out: a digest's filled bodies are made
 * only when read (see buildMessage), and a raw message has no use for them.
 */
export function toThreadMessage(message: OutgoingMessage): ThreadMessage {
  const base = {
    from: message.from,
    to: message.to.name
      ? { address: message.to.address, name: message.to.name }
      : { address: message.to.address },
    subject: message.subject,
    messageId: message.messageId,
    date: message.date.getTime(),
    headers: { ...message.headers },
    ...(message.replyTo ? { replyTo: message.replyTo } : {}),
  };
  if (message.raw) return { ...base, html: "", text: "", raw: message.raw };
  return { ...base, html: message.html, text: message.text };
}

/** A delivery error reduced to data that survives the crossing. */
export function toThreadError(error: unknown): ThreadError {
  const result: ThreadError = {
    message: error instanceof Error ? error.message : String(error),
  };
  if (isAppError(error)) result.code = error.code;
  const cause = error instanceof Error ? (error.cause as Record<string, unknown>) : undefined;
  if (cause instanceof Error) {
    const copied: NonNullable<ThreadError["cause"]> = { message: cause.message };
    const { code, responseCode, response } = cause as Error & Record<string, unknown>;
    if (typeof code === "string") copied.code = code;
    if (typeof responseCode === "number") copied.responseCode = responseCode;
    if (typeof response === "string") copied.response = response;
    result.cause = copied;
  }
  return result;
}

/** The delivery error again, as SmtpMailer would have thrown it in this thread. */
export function fromThreadError(error: ThreadError): Error {
  let cause: Error | undefined;
  if (error.cause) {
    cause = Object.assign(new Error(error.cause.message), {
      ...(error.cause.code === undefined ? {} : { code: error.cause.code }),
      ...(error.cause.responseCode === undefined ? {} : { responseCode: error.cause.responseCode }),
      ...(error.cause.response === undefined ? {} : { response: error.cause.response }),
    });
  }
  const options = cause ? { cause } : undefined;
  return error.code
    ? new AppError(error.code, error.message, options)
    : new Error(error.message, options);
}
