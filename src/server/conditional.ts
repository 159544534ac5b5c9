import { createHash } from "node:crypto";

/** The SHA-256 of some bytes, base64url: what a strong entity-tag of warta is made from. */
export function contentHash(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("base64url");
}

/**
 * The strong entity-tag warta gives a representation: the quoted hash of its bytes, so that
 * every server holding the same bytes gives the same tag. `suffix` tells a coding apart.
 *
 * @example entityTag(Buffer.from("<rss/>")) // '"…base64url…"'
 */
export function entityTag(bytes: Uint8Array, suffix = ""): string {
  return `"${contentHash(bytes)}${suffix}"`;
}

/** What the preconditions of a GET or HEAD decide. */
export type PreconditionResult = "proceed" | "not-modified" | "failed";

/** The conditional header fields of a request (RFC 9110 §13.1). */
export interface Conditions {
  ifMatch?: string | undefined;
  ifNoneMatch?: string | undefined;
  ifModifiedSince?: string | undefined;
  ifUnmodifiedSince?: string | undefined;
}

/**
 * Evaluates the preconditions of a GET or HEAD in the order of RFC 9110 §13.2.2: If-Match
 * (strong comparison), else If-Unmodified-Since; then If-None-Match (weak comparison), else
 * If-Modified-Since. `etag` is the quoted entity-tag of the representation being selected;
 * `lastModified` is in milliseconds, whole seconds, as Last-Modified says it, or undefined for
 * a representation without one, whose date conditions are then ignored (RFC 9110 §13.1.3 and
 * §13.1.4).
 */
export function evaluatePreconditions(
  conditions: Conditions,
  etag: string,
  lastModified: number | undefined,
): PreconditionResult {
  const { ifMatch, ifNoneMatch, ifModifiedSince, ifUnmodifiedSince } = conditions;
  if (ifMatch !== undefined) {
    if (!matchesAny(ifMatch, etag, false)) return "failed";
  } else if (ifUnmodifiedSince !== undefined && lastModified !== undefined) {
    const since = parseHttpDate(ifUnmodifiedSince);
    if (since !== undefined && lastModified > since) return "failed";
  }
  if (ifNoneMatch !== undefined) {
    return matchesAny(ifNoneMatch, etag, true) ? "not-modified" : "proceed";
  }
  if (ifModifiedSince !== undefined && lastModified !== undefined) {
    const since = parseHttpDate(ifModifiedSince);
    if (since !== undefined && lastModified <= since) return "not-modified";
  }
  return "proceed";
}

/**
 * Whether an If-Match or If-None-Match value (`*` or a list of entity-tags) matches `etag`.
 * Weak comparison ignores the `W/` prefix; strong comparison never matches a weak tag.
 * Entity-tags may contain commas, so the list is scanned tag by tag, not split.
 */
export function matchesAny(value: string, etag: string, weak: boolean): boolean {
  if (value.trim() === "*") return true;
  // Sticky: the scan stops at the first member that is not an entity-tag.
  const tags = /[\s,]*(W\/)?("[^"]*")\s*(?:,|$)/y;
  for (let match = tags.exec(value); match; match = tags.exec(value)) {
    if (match[2] === etag && (weak || match[1] === undefined)) return true;
  }
  return false;
}

const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const imfFixdate = /^[A-Z][a-z]{2}, (\d{2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const rfc850 = /^[A-Z][a-z]+, (\d{2})-([A-Z][a-z]{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const asctime = /^[A-Z][a-z]{2} ([A-Z][a-z]{2}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/;

/** An HTTP-date (IMF-fixdate, or the obsolete RFC 850 and asctime forms) in ms, or undefined. */
export function parseHttpDate(value: string): number | undefined {
  const text = value.trim();
  const parts = dateParts(text);
  if (!parts) return undefined;
  const [day, monthName, year, hours, minutes, seconds] = parts;
  const month = months.indexOf(monthName);
  if (month === -1) return undefined;
  const time = Date.UTC(year, month, Number(day), Number(hours), Number(minutes), Number(seconds));
  return Number.isNaN(time) ? undefined : time;
}

/** Day, month name, year, hours, minutes and seconds of the three HTTP-date forms. */
function dateParts(text: string): [string, string, number, string, string, string] | undefined {
  const fixed = imfFixdate.exec(text);
  if (fixed) return [fixed[1]!, fixed[2]!, Number(fixed[3]), fixed[4]!, fixed[5]!, fixed[6]!];
  const old = rfc850.exec(text);
  if (old) {
    // RFC 9110 §5.6.7: a two-digit year more than 50 years ahead is in the past century.
    const thisYear = new Date().getUTCFullYear();
    let year = Math.floor(thisYear / 100) * 100 + Number(old[3]);
    if (year > thisYear + 50) year -= 100;
    return [old[1]!, old[2]!, year, old[4]!, old[5]!, old[6]!];
  }
  const c = asctime.exec(text);
  if (c) return [c[2]!.trim(), c[1]!, Number(c[6]), c[3]!, c[4]!, c[5]!];
  return undefined;
}
