import type { IncomingHttpHeaders } from "node:http";
import { parseRetryAfter } from "../shared/retry-after.js";

/** Reads the freshness lifetime from Cache-Control: max-age, else s-maxage, in seconds. */
export function parseCacheMaxAge(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const directives = new Map<string, string>();
  for (const part of value.split(",")) {
    const [name, raw = ""] = part.split("=", 2);
    if (!name) continue;
    directives.set(name.trim().toLowerCase(), raw.trim().replace(/^"(.*)"$/, "$1"));
  }
  for (const name of ["max-age", "s-maxage"]) {
    const seconds = directives.get(name);
    if (seconds !== undefined && /^\d+$/.test(seconds)) return Number(seconds);
  }
  return undefined;
}

/** Seconds a successful (2xx or 304) answer asks us to wait: the larger of max-age and Retry-After. */
export function pollFloorOf(headers: Record<string, string>, now: Date): number | undefined {
  const floors = [
    parseCacheMaxAge(headers["cache-control"]),
    parseRetryAfter(headers["retry-after"], now),
  ].filter((seconds): seconds is number => seconds !== undefined);
  return floors.length > 0 ? Math.max(...floors) : undefined;
}

/** Flattens Node's response headers (already lower-case) into one string per name. */
export function flattenHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    flat[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return flat;
}
