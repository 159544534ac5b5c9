/*
 * The publisher side of WebSub: after a publish that changed feeds, tell the hub, so that it
 * fetches them and pushes them to subscribers at once instead of at their next poll.
 *
 * The W3C recommendation leaves the publisher-to-hub call to the hub ("Publishing", §6). The
 * de facto form, from PubSubHubbub and accepted by the common hubs, is a form-encoded POST of
 * hub.mode=publish&hub.url=<feed>. Some hubs take several hub.url in one request, others only
 * one, so we send one request per feed.
 *
 * node:http rather than fetch for the same reason as sources/http.ts: errors keep their Node codes
 * (ECONNREFUSED) instead of a generic "fetch failed". No keep-alive agent: pings are rare, and a
 * socket closed by the hub between two publishes would only turn into a spurious failure.
 */
import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import type { HubNotifier, HubNotifyResult } from "../domain/ports.js";
import { AppError, errorMessage } from "../shared/errors.js";
import { parseRetryAfter } from "../shared/retry-after.js";

/** Where the hub is and how hard to try; build it from the `websub` config section. */
export interface HubNotifierOptions {
  /** The hub's publish endpoint, http or https. */
  hub: string;
  /** Sent as User-Agent, e.g. "warta/0.1.0 (+https://news.example/)". */
  userAgent: string;
  /** Deadline for one request (connect, send, answer), in milliseconds. */
  timeoutMs: number;
  /** Requests per feed, the first included (default 3). */
  attempts?: number;
  /** Wait before the first retry, doubled before each next one (default 500 ms). */
  retryDelayMs?: number;
  /** Longest wait before a retry, Retry-After included (default 30 000 ms). */
  maxRetryDelayMs?: number;
  /** Waits between attempts; tests pass one that returns at once. */
  sleep?: (ms: number) => Promise<void>;
  /** The clock, used to turn a Retry-After date into a delay. */
  now?: () => Date;
}

/** What one request to the hub came to. */
type Attempt =
  | { ok: true }
  | { ok: false; reason: string; retryable: boolean; retryAfterMs?: number };

const formType = "application/x-www-form-urlencoded";
/** Enough of a refusal's body to show the hub's reason, not enough to flood a log. */
const maxReasonBytes = 512;

/**
 * Creates a HubNotifier that POSTs hub.mode=publish for each feed URL, retrying network errors,
 * timeouts, 429 and 5xx with exponential back-off (or the hub's Retry-After).
 * @example const hub = createHubNotifier({ hub: "https://pubsubhubbub.appspot.com/", userAgent, timeoutMs: 10_000 });
 */
export function createHubNotifier(options: HubNotifierOptions): HubNotifier {
  const hub = hubUrl(options.hub);
  const { userAgent, timeoutMs } = options;
  const attempts = options.attempts ?? 3;
  const retryDelayMs = options.retryDelayMs ?? 500;
  const maxRetryDelayMs = options.maxRetryDelayMs ?? 30_000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const now = options.now ?? (() => new Date());
  const hubName = redacted(hub);
  if (!Number.isInteger(attempts) || attempts < 1) {
    throw new AppError("CONFIG_INVALID", `config: websub hub ${hubName}: attempts must be ≥ 1`);
  }
  if (!(timeoutMs > 0)) {
    throw new AppError("CONFIG_INVALID", `config: websub hub ${hubName}: timeout must be > 0 ms`);
  }

  const ping = async (feedUrl: string): Promise<Attempt> => {
    const body = new URLSearchParams({ "hub.mode": "publish", "hub.url": feedUrl }).toString();
    const signal = AbortSignal.timeout(timeoutMs);
    let response: IncomingMessage;
    try {
      response = await post(hub, body, userAgent, signal);
    } catch (error) {
      if (signal.aborted) {
        return { ok: false, reason: `no answer within ${timeoutMs} ms`, retryable: true };
      }
      const detail = codeOf(error) ?? errorMessage(error);
      return { ok: false, reason: `network error (${detail})`, retryable: true };
    }
    const status = response.statusCode ?? 0;
    if (status >= 200 && status < 300) {
      // Drain what the hub says; the deadline still tears a never-ending body down.
      response.resume();
      return { ok: true };
    }
    const text = await readReason(response);
    const reason = `HTTP ${status}${text ? ` (${text})` : ""}`;
    // 429 and 5xx say "not now"; any other answer would be the same on a retry.
    if (status !== 429 && status < 500) return { ok: false, reason, retryable: false };
    const seconds = parseRetryAfter(headerOf(response, "retry-after"), now());
    return seconds === undefined
      ? { ok: false, reason, retryable: true }
      : { ok: false, reason, retryable: true, retryAfterMs: seconds * 1000 };
  };

  const publish = async (feedUrl: string): Promise<Attempt & { tries: number }> => {
    for (let attempt = 1; ; attempt += 1) {
      const outcome = await ping(feedUrl);
      if (outcome.ok || !outcome.retryable || attempt >= attempts) {
        return { ...outcome, tries: attempt };
      }
      const backoff = retryDelayMs * 2 ** (attempt - 1);
      await sleep(Math.min(outcome.retryAfterMs ?? backoff, maxRetryDelayMs));
    }
  };

  return {
    async notify(feedUrls) {
      const result: HubNotifyResult = { notified: [], failed: [] };
      // Set when the hub was still down or overloaded after every attempt for one feed: the
      // others are not sent, so a dead hub costs one feed's retries rather than every feed's.
      let hubDown: string | undefined;
      for (const url of new Set(feedUrls)) {
        if (!isHttpUrl(url)) {
          result.failed.push({
            url,
            error: `deliver: not sent to websub hub ${hubName}: ${url} is not an absolute http(s) URL`,
          });
          continue;
        }
        if (hubDown !== undefined) {
          result.failed.push({
            url,
            error: `deliver: not sent to websub hub ${hubName}: ${hubDown}`,
          });
          continue;
        }
        const outcome = await publish(url);
        if (outcome.ok) {
          result.notified.push(url);
          continue;
        }
        const tries = outcome.tries === 1 ? "1 attempt" : `${outcome.tries} attempts`;
        result.failed.push({
          url,
          error: `deliver: websub hub ${hubName} did not accept ${url}: ${outcome.reason} after ${tries}`,
        });
        if (outcome.retryable) hubDown = `it already failed for ${url} (${outcome.reason})`;
      }
      return result;
    },
  };
}

/** Parses the hub URL and refuses anything but http and https. */
function hubUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch (error) {
    throw new AppError("CONFIG_INVALID", `config: websub hub "${value}" is not a valid URL`, {
      cause: error,
    });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new AppError(
      "CONFIG_INVALID",
      `config: websub hub ${redacted(url)}: only http and https hubs are supported`,
    );
  }
  return url;
}

/** The URL without user and password, for messages and logs. */
function redacted(url: URL): string {
  if (url.username === "" && url.password === "") return url.href;
  const copy = new URL(url.href);
  copy.username = "";
  copy.password = "";
  return copy.href;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

/** Sends the form and resolves with the response once its headers are in. */
function post(
  url: URL,
  body: string,
  userAgent: string,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  return new Promise<IncomingMessage>((resolve, reject) => {
    const transport = url.protocol === "https:" ? https : http;
    const request = transport.request(
      url,
      {
        method: "POST",
        agent: false,
        signal,
        headers: {
          "content-type": formType,
          "content-length": Buffer.byteLength(body),
          "user-agent": userAgent,
        },
      },
      resolve,
    );
    request.on("error", reject);
    request.end(body);
  });
}

/** The start of a refusal's body on one line, or "" if it cannot be read in time. */
async function readReason(response: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of response as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      total += chunk.length;
      if (total >= maxReasonBytes) break;
    }
  } catch {
    // The status already says what matters; a body cut by the deadline adds nothing.
  }
  response.destroy();
  const text = Buffer.concat(chunks, total).subarray(0, maxReasonBytes).toString("utf8");
  // Control characters and line breaks would let a hub forge extra lines in our logs.
  return text
    .replace(/[\p{Cc}\s]+/gu, " ")
    .trim()
    .slice(0, 200);
}

function headerOf(response: IncomingMessage, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? code : undefined;
}
