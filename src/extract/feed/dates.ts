import { parseNewsDate } from "../../shared/dates.js";

/** Longer values are not dates (and are not worth scanning). */
const MAX_DATE_LENGTH = 200;

/**
 * Parses a feed date: RFC 822 (also with a two-digit year or a "1500" time), RFC 3339,
 * W3CDTF down to the year or month, and the free forms parseNewsDate reads ("Sabtu, 4 Mei
 * 2024 10:15 WIB"). A date without a zone is local time in `timezone`.
 */
export function parseFeedDate(value: string | undefined, timezone: string): Date | undefined {
  const text = value?.replace(/\s+/g, " ").trim();
  if (!text || text.length > MAX_DATE_LENGTH) return undefined;
  const date = parseNewsDate(text, timezone);
  if (date) return date;
  const repaired = repair(text);
  return repaired === text ? undefined : parseNewsDate(repaired, timezone);
}

/** Rewrites the sloppy forms parseNewsDate does not read into ones it does. */
function repair(text: string): string {
  // W3CDTF allows "2002" and "2002-12": the start of that year or month.
  const partial = /^(\d{4})(?:-(\d{2}))?$/.exec(text);
  if (partial) return `${partial[1]}-${partial[2] ?? "01"}-01`;
  return (
    text
      // RFC 822 two-digit years ("03 Apr 02"): 1950-2049, as RFC 2822 advises.
      .replace(
        /^((?:[A-Za-z]{2,9},?\s*)?\d{1,2}\s+[A-Za-z]{3,9}\.?\s+)(\d{2})(?=\s|$)/,
        (_, head: string, year: string) => `${head}${Number(year) < 50 ? 20 : 19}${year}`,
      )
      // RFC 822 allows hours and minutes without a colon after the year ("2002 1500 GMT").
      .replace(/(\d{4}\s+)([01]\d|2[0-3])([0-5]\d)(?=\s|$)/, "$1$2:$3")
  );
}
