import type { ParsedFeed } from "../../domain/index.js";
import { AppError, isAppError } from "../../shared/errors.js";
import { decodeXml } from "../encoding.js";
import { parseJsonFeed } from "./json-feed.js";
import { parseXmlFeed } from "./xml-feed.js";

/** Options of parseFeed. */
export interface ParseFeedOptions {
  /** The feed's URL (after redirects): base of relative links and name in error messages. */
  url: string;
  /** The HTTP Content-Type, whose charset decides the encoding. */
  contentType?: string;
  /** IANA zone that dates without an offset are read in (Asia/Jakarta). */
  timezone: string;
  /** Larger bodies are refused before any decoding (default 20 MB). */
  maxBytes?: number;
}

/** Default limit on the size of a feed body. */
export const DEFAULT_MAX_FEED_BYTES = 20 * 1024 * 1024;

/**
 * Parses an upstream feed: RSS 0.90/0.91/0.92/1.0/2.0, Atom 0.3/1.0 or JSON Feed 1.0/1.1,
 * detected from the content. Throws AppError PARSE_TOO_LARGE, PARSE_ENCODING,
 * PARSE_UNKNOWN_FORMAT, PARSE_ENTITY_EXPANSION or PARSE_FEED, each message starting with
 * "feed: <url>: ".
 * @example parseFeed(body, { url, contentType: "application/rss+xml", timezone: "Asia/Jakarta" })
 */
export function parseFeed(body: Buffer, options: ParseFeedOptions): ParsedFeed {
  const { url } = options;
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_FEED_BYTES;
  if (body.length > maxBytes) {
    throw new AppError(
      "PARSE_TOO_LARGE",
      `feed: ${url}: ${body.length} bytes is over the limit of ${maxBytes} bytes; not parsed`,
    );
  }
  if (body[0] === 0x1f && body[1] === 0x8b) {
    throw new AppError(
      "PARSE_ENCODING",
      `feed: ${url}: the body is still gzip-compressed (Content-Encoding was not applied)`,
    );
  }
  try {
    const { text, encoding } = decodeXml(body, options.contentType);
    const context = { url, timezone: options.timezone, encoding };
    const start = /[^\s\ufeff]/.exec(text)?.[0];
    if (start === undefined) {
      throw new AppError("PARSE_FEED", `feed: ${url}: empty document`);
    }
    return start === "{" || start === "["
      ? parseJsonFeed(text, context)
      : parseXmlFeed(text, context);
  } catch (error) {
    if (isAppError(error)) throw error;
    throw new AppError(
      "PARSE_FEED",
      `feed: ${url}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}
