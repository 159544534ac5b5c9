import type { Logger } from "../shared/logger.js";
import type { ServerResponse } from "./types.js";

/** Why a request cannot be served. Only `toErrorResponse` turns a reason into a status. */
export type RequestErrorReason =
  | "bad-request"
  | "not-found"
  | "method-not-allowed"
  | "not-acceptable"
  | "precondition-failed";

/** A request the server refuses; thrown anywhere in server/, answered by `toErrorResponse`. */
export class RequestError extends Error {
  override readonly name = "RequestError";
  readonly reason: RequestErrorReason;

  constructor(reason: RequestErrorReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
  }
}

/** Methods every resource of the server allows. */
export const allowedMethods = "GET, HEAD, OPTIONS";

const statuses: Record<RequestErrorReason, number> = {
  "bad-request": 400,
  "not-found": 404,
  "method-not-allowed": 405,
  "not-acceptable": 406,
  "precondition-failed": 412,
};

const reasonPhrases: Record<number, string> = {
  400: "Bad Request",
  404: "Not Found",
  405: "Method Not Allowed",
  406: "Not Acceptable",
  412: "Precondition Failed",
  500: "Internal Server Error",
};

/** The one error handler: maps any error thrown while answering a request to a response. */
export function toErrorResponse(error: unknown, method: string, logger: Logger): ServerResponse {
  let status = 500;
  if (error instanceof RequestError) {
    status = statuses[error.reason];
    logger.debug({ reason: error.reason, err: error.message }, "server: request refused");
  } else {
    logger.error({ err: error }, "server: cannot answer a request");
  }
  const body = Buffer.from(`${reasonPhrases[status]}\n`, "utf8");
  const headers: Record<string, string> = {
    "content-type": "text/plain; charset=utf-8",
    "content-length": String(body.length),
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
  };
  if (status === 405) headers.allow = allowedMethods;
  return { status, headers, body: method === "HEAD" ? null : body };
}
