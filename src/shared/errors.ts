/**
 * The catalogue of error codes. Tests assert on codes, never on message text.
 * Codes are grouped by the stage that raises them.
 */
export const ErrorCodes = [
  "CONFIG_READ",
  "CONFIG_INVALID",
  "SOURCE_READ",
  "IMPORT_HEADER",
  "FETCH_SCHEME",
  "FETCH_HTTP_STATUS",
  "FETCH_TIMEOUT",
  "FETCH_TOO_LARGE",
  "FETCH_TOO_MANY_REDIRECTS",
  "FETCH_NETWORK",
  "PARSE_FEED",
  "PARSE_UNKNOWN_FORMAT",
  "PARSE_ENCODING",
  "PARSE_TOO_LARGE",
  "PARSE_ENTITY_EXPANSION",
  "PARSE_HTML",
  "EXTRACT_NOT_ARTICLE",
  "SOURCE_UNKNOWN_FORMAT",
  "PARSE_FRONT_MATTER",
  "PARSE_JSON",
  "PARSE_CAPTURE",
  "PARSE_DATE",
  "PARSE_MISSING_FIELD",
  "STORE_OPEN",
  "STORE_MIGRATE",
  "STORE_COPY",
  "PUBLISH_WRITE",
  "PUBLISH_RENDER",
  "TEMPLATE_READ",
  "TEMPLATE_RENDER",
  "MJML_INVALID",
  "MAIL_ADDRESS",
  "MAIL_SEND",
  "SMTP_CONNECT",
  "SMTP_AUTH",
  "SMTP_REJECTED",
  "SMTP_DEFERRED",
  "JOB_FAILED",
  "USAGE",
] as const;

export type ErrorCode = (typeof ErrorCodes)[number];

/** The one error type of warta: a catalogue code, a readable message and the original cause. */
export class AppError extends Error {
  override readonly name = "AppError";
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** Tells whether a value is an AppError, optionally with the given code. */
export function isAppError(value: unknown, code?: ErrorCode): value is AppError {
  return value instanceof AppError && (code === undefined || value.code === code);
}

/** Returns the message of any thrown value, for logs and summaries. */
export function errorMessage(value: unknown): string {
  if (value instanceof Error) return value.message;
  return String(value);
}
