/*
 * The HTTP boundary of warta: every low-level failure is translated here, once, into an AppError
 * with a FETCH_* code.
 *
 * Why node:http/node:https rather than the global fetch (undici): here we own each step.
 * Redirects are never followed for us, so every Location is checked for its scheme and counted.
 * Decoding is our own zlib pipeline, so the size cap counts decoded bytes with back-pressure,
 * and a gzip bomb is stopped after maxBytes of output. One AbortSignal, passed to the request
 * and to the body pipeline, tears down connect, headers and body alike at the deadline.
 * Errors keep their plain Node codes (ECONNREFUSED, CERT_HAS_EXPIRED) instead of a generic
 * "fetch failed" TypeError. Node 20's fetch would also hide which Accept-Encoding it decodes.
 */
import http, { type IncomingMessage, type OutgoingHttpHeaders } from "node:http";
import https from "node:https";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import zlib from "node:zlib";
import type { Fetcher, FetchRequest, FetchResult } from "../domain/fetch.js";
import { AppError, isAppError } from "../shared/errors.js";
import { parseRetryAfter } from "../shared/retry-after.js";
import { flattenHeaders, pollFloorOf } from "./http-headers.js";
import { createHostLimiter } from "./http-limit.js";

/** Limits and identity of a fetcher; build them from the `fetch` config section. */
export interface FetcherOptions {
  /** Deadline for one whole fetch (connect, headers, body, redirects), in milliseconds. */
  timeoutMs: number;
  /** Largest body accepted after content decoding, in bytes. */
  maxBytes: number;
  /** Redirects followed before giving up. */
  maxRedirects: number;
  /** Requests in flight at once to one host:port. */
  perHost: number;
  /** Sent as User-Agent, e.g. "warta/0.1.0 (+https://news.example/)". */
  userAgent: string;
  /** The clock, used to turn a Retry-After date into seconds. */
  now?: () => Date;
}

/** An AppError for an HTTP status, with the status and the server's Retry-After (seconds). */
export type FetchStatusError = AppError & { status: number; retryAfter?: number };

const redirectStatuses = new Set([301, 302, 303, 307, 308]);

type Exchange =
  | { kind: "redirect"; location: string; status: number }
  | { kind: "done"; result: FetchResult };

/** Creates a Fetcher with a deadline, a decoded-size cap, manual redirects and per-host limits. */
export function createFetcher(options: FetcherOptions): Fetcher {
  const { timeoutMs, maxBytes, maxRedirects, userAgent } = options;
  const now = options.now ?? (() => new Date());
  const limiter = createHostLimiter(options.perHost);
  // Own agents, so that keep-alive sockets are shared only by this fetcher's requests.
  const agents = {
    "http:": new http.Agent({ keepAlive: true }),
    "https:": new https.Agent({ keepAlive: true }),
  };

  const exchange = async (url: URL, request: FetchRequest, signal: AbortSignal) => {
    const headers: OutgoingHttpHeaders = {
      "user-agent": userAgent,
      accept: request.accept ?? "*/*",
      "accept-encoding": "gzip, deflate, br",
    };
    // Validators go along redirects too: they were stored from the final URL's answer.
    if (request.etag) headers["if-none-match"] = request.etag;
    if (request.lastModified) headers["if-modified-since"] = request.lastModified;

    const response = await send(url, headers, agents, signal);
    const status = response.statusCode ?? 0;
    const responseHeaders = flattenHeaders(response.headers);

    if (status === 304) {
      // A 304 has no body by definition; resuming lets the socket go back to the pool.
      response.resume();
      return {
        kind: "done",
        result: {
          url: url.href,
          status,
          notModified: true,
          headers: responseHeaders,
          body: Buffer.alloc(0),
          contentType: responseHeaders["content-type"],
          etag: responseHeaders.etag ?? request.etag,
          lastModified: responseHeaders["last-modified"] ?? request.lastModified,
          pollFloor: pollFloorOf(responseHeaders, now()),
        },
      } satisfies Exchange;
    }

    if (redirectStatuses.has(status) && responseHeaders.location !== undefined) {
      // The body of a redirect is of no use and may be endless: drop the connection.
      response.destroy();
      return { kind: "redirect", location: responseHeaders.location, status } satisfies Exchange;
    }

    if (status < 200 || status >= 300) {
      response.destroy();
      throw statusError(url, status, parseRetryAfter(responseHeaders["retry-after"], now()));
    }

    let encodings: string[];
    try {
      encodings = contentEncodings(responseHeaders["content-encoding"], url);
    } catch (error) {
      response.destroy();
      throw error;
    }
    const declared = Number(responseHeaders["content-length"]);
    // Content-Length counts encoded bytes, so it proves an overflow only for identity bodies;
    // encoded ones are cut by the decoded count below.
    if (encodings.length === 0 && Number.isFinite(declared) && declared > maxBytes) {
      response.destroy();
      throw new AppError(
        "FETCH_TOO_LARGE",
        `fetch: ${url.href}: body of ${declared} bytes exceeds the limit of ${maxBytes} bytes`,
      );
    }
    const body = await readBody(response, encodings, maxBytes, url, signal);
    return {
      kind: "done",
      result: {
        url: url.href,
        status,
        notModified: false,
        headers: responseHeaders,
        body,
        contentType: responseHeaders["content-type"],
        etag: responseHeaders.etag,
        lastModified: responseHeaders["last-modified"],
        pollFloor: pollFloorOf(responseHeaders, now()),
      },
    } satisfies Exchange;
  };

  return {
    async fetch(request) {
      let url = httpUrl(request.url, request.url);
      const controller = new AbortController();
      let timer: NodeJS.Timeout | undefined;
      let timedOut = false;
      try {
        for (let redirects = 0; ; redirects += 1) {
          const release = await limiter.acquire(hostKey(url), controller.signal);
          // The clock starts with the first slot: time spent queueing behind other requests
          // to a busy host is not this request's fault. Later hops do count.
          timer ??= setTimeout(() => {
            timedOut = true;
            controller.abort();
          }, timeoutMs);
          let outcome: Exchange;
          try {
            outcome = await exchange(url, request, controller.signal);
          } finally {
            release();
          }
          if (outcome.kind === "done") return outcome.result;
          if (redirects >= maxRedirects) {
            throw new AppError(
              "FETCH_TOO_MANY_REDIRECTS",
              `fetch: ${request.url}: more than ${maxRedirects} redirects (last to ${outcome.location})`,
            );
          }
          url = httpUrl(outcome.location, url.href, url);
        }
      } catch (error) {
        if (timedOut) {
          throw new AppError(
            "FETCH_TIMEOUT",
            `fetch: ${url.href}: no complete answer within ${timeoutMs} ms`,
            { cause: error },
          );
        }
        if (isAppError(error)) throw error;
        throw networkError(url, error);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** The seconds of Retry-After that a FETCH_HTTP_STATUS error carries, if the server sent one. */
export function retryAfterOf(error: unknown): number | undefined {
  if (!isAppError(error, "FETCH_HTTP_STATUS")) return undefined;
  const value = (error as Partial<FetchStatusError>).retryAfter;
  return typeof value === "number" ? value : undefined;
}

/** The HTTP status that a FETCH_HTTP_STATUS error carries (404, 410, 503…). */
export function httpStatusOf(error: unknown): number | undefined {
  if (!isAppError(error, "FETCH_HTTP_STATUS")) return undefined;
  const value = (error as Partial<FetchStatusError>).status;
  return typeof value === "number" ? value : undefined;
}

function statusError(url: URL, status: number, retryAfter: number | undefined): FetchStatusError {
  const error = new AppError("FETCH_HTTP_STATUS", `fetch: ${url.href}: HTTP ${status}`);
  return Object.assign(error, retryAfter === undefined ? { status } : { status, retryAfter });
}

/** Parses `value` against `base` and refuses anything but http and https. */
function httpUrl(value: string, requested: string, base?: URL): URL {
  let url: URL;
  try {
    url = new URL(value, base);
  } catch (error) {
    throw new AppError("FETCH_SCHEME", `fetch: ${requested}: not a valid URL: ${value}`, {
      cause: error,
    });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    const what = base ? `a redirect to ${url.protocol}` : `the ${url.protocol} scheme`;
    throw new AppError(
      "FETCH_SCHEME",
      `fetch: ${requested}: refusing ${what} (only http and https)`,
    );
  }
  return url;
}

/** host:port, with the scheme's default port, so that :80 and :8080 are separate hosts. */
function hostKey(url: URL): string {
  return `${url.hostname}:${url.port || (url.protocol === "https:" ? "443" : "80")}`;
}

/** Sends a GET and resolves with the response once the headers are in. */
async function send(
  url: URL,
  headers: OutgoingHttpHeaders,
  agents: { "http:": http.Agent; "https:": https.Agent },
  signal: AbortSignal,
): Promise<IncomingMessage> {
  for (let attempt = 1; ; attempt += 1) {
    let reusedSocket = false;
    try {
      return await new Promise<IncomingMessage>((resolve, reject) => {
        const transport = url.protocol === "https:" ? https : http;
        const agent = url.protocol === "https:" ? agents["https:"] : agents["http:"];
        const request = transport.request(url, { method: "GET", headers, agent, signal }, resolve);
        request.on("error", (error) => {
          reusedSocket = request.reusedSocket;
          reject(error);
        });
        request.end();
      });
    } catch (error) {
      // A kept-alive socket can be closed by the server just as we reuse it. GET is
      // idempotent, so one retry on a fresh connection is safe (as Node's docs advise).
      const stale =
        attempt === 1 && reusedSocket && !signal.aborted && codeOf(error) === "ECONNRESET";
      if (!stale) throw error;
    }
  }
}

/** The decoders for a Content-Encoding header, in the order they must run. */
function contentEncodings(header: string | undefined, url: URL): string[] {
  if (header === undefined) return [];
  const codings = header
    .split(",")
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== "" && coding !== "identity");
  for (const coding of codings) {
    if (!["gzip", "x-gzip", "deflate", "br"].includes(coding)) {
      throw new AppError(
        "FETCH_NETWORK",
        `fetch: ${url.href}: unsupported Content-Encoding ${coding}`,
      );
    }
  }
  // Codings are listed in the order they were applied; undo them last first.
  return codings.reverse();
}

function createDecoder(coding: string): NodeJS.ReadWriteStream {
  if (coding === "br") return zlib.createBrotliDecompress();
  // HTTP's "deflate" is the zlib format (RFC 9110 §8.4.1.2), which createInflate expects.
  if (coding === "deflate") return zlib.createInflate();
  return zlib.createGunzip();
}

/** Reads and decodes the body, aborting as soon as more than `maxBytes` decoded bytes arrive. */
async function readBody(
  response: IncomingMessage,
  encodings: string[],
  maxBytes: number,
  url: URL,
  signal: AbortSignal,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      total += chunk.length;
      if (total > maxBytes) {
        // Failing the sink makes pipeline destroy the decoders and the response (and socket).
        callback(
          new AppError(
            "FETCH_TOO_LARGE",
            `fetch: ${url.href}: body exceeds the limit of ${maxBytes} bytes`,
          ),
        );
        return;
      }
      chunks.push(chunk);
      callback();
    },
  });
  await pipeline([response, ...encodings.map(createDecoder), sink], { signal });
  return Buffer.concat(chunks, total);
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}

const tlsCode = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_)|^EPROTO$/;

/** Names the failure by its code (ECONNREFUSED, CERT_HAS_EXPIRED, Z_DATA_ERROR…). */
function networkError(url: URL, error: unknown): AppError {
  const code = codeOf(error);
  const kind = code?.startsWith("Z_")
    ? "cannot decode the body"
    : code && tlsCode.test(code)
      ? "TLS error"
      : "network error";
  const detail = code ?? (error instanceof Error ? error.message : String(error));
  return new AppError("FETCH_NETWORK", `fetch: ${url.href}: ${kind} (${detail})`, {
    cause: error,
  });
}
