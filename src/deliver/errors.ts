import { AppError, type ErrorCode } from "../shared/errors.js";

interface NodemailerError extends Error {
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
}

/** Translates a Nodemailer failure into an AppError with a code from the catalogue. */
export function toDeliveryError(cause: unknown, where: string): AppError {
  const error = cause as NodemailerError;
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
      code = "SMTP_CONNECT";
      break;
    case "EENVELOPE":
    case "EMESSAGE":
      code = "SMTP_REJECTED";
      break;
  }
  if (code === "MAIL_SEND" && typeof error?.responseCode === "number") code = "SMTP_REJECTED";
  const detail = error?.response ?? error?.message ?? String(cause);
  return new AppError(code, `deliver: ${where}: ${detail}`, { cause });
}
