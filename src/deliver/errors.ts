import { AppError, type ErrorCode } from "../shared/errors.js";

interface NodemailerError extends Error {
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
}

/**
 * Translates a Nodemailer failure into an AppError with a code from the catalogue:
 * - SMTP_CONNECT: the server cannot be used now (refused, dropped, timed out, TLS, DNS, or a
 *   421 "service not available"): try another server, retry later;
 * - SMTP_AUTH: the server refuses our credentials;
 * - SMTP_DEFERRED: a temporary refusal of this message (other 4xx): retry it later;
 * - SMTP_REJECTED: a permanent refusal (5xx): do not retry;
 * - MAIL_SEND: anything else (the message could not be built or written).
 * The SMTP reply code, when there is one, stays on the cause (see smtpReplyCode).
 */
export function toDeliveryError(cause: unknown, where: string): AppError {
  const error = cause as NodemailerError;
  const reply = typeof error?.responseCode === "number" ? error.responseCode : undefined;
  let code: ErrorCode = "MAIL_SEND";
  switch (error?.code) {
    case "EAUTH":
    case "ENOAUTH":
      code = "SMTP_AUTH";
      break;
    case "ECONNECTION":
    case "ETIMEDOUT":
    case "ESOCKET":
    case "EDNS":
    case "ETLS":
    case "ECONNREFUSED":
    case "ECONNRESET":
    case "EPIPE":
      code = "SMTP_CONNECT";
      break;
    case "EENVELOPE":
    case "EMESSAGE":
      code = "SMTP_REJECTED";
      break;
  }
  if (code !== "SMTP_AUTH" && code !== "SMTP_CONNECT" && reply !== undefined) {
    if (reply === 421) code = "SMTP_CONNECT";
    else if (reply >= 400 && reply < 500) code = "SMTP_DEFERRED";
    else if (reply >= 500) code = "SMTP_REJECTED";
  }
  const detail = error?.response ?? error?.message ?? String(cause);
  return new AppError(code, `deliver: ${where}: ${detail}`, { cause });
}

/** The SMTP reply code behind a delivery error, when the server answered one. */
export function smtpReplyCode(error: unknown): number | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 3 && current instanceof Error; depth += 1) {
    const code = (current as { responseCode?: unknown }).responseCode;
    if (typeof code === "number") return code;
    current = current.cause;
  }
  return undefined;
}
