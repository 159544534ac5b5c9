import type { FeedFormat, ParsedFeed } from "../../../src/domain/index.js";
import { htmlToText } from "../../../src/extract/html-text.js";

/** What one Expect expression said about one parse. */
export interface ExpectReport {
  /** Clauses that map to warta's model and were checked. */
  checked: string[];
  /** Clauses about things warta does not model (bozo, enclosures, *_detail.base, ...). */
  skipped: string[];
  /** Checked clauses that did not hold, with what warta produced. */
  failures: string[];
}

type Literal = string | number | null | number[];
type Kind = "text" | "html" | "url" | "string" | "language" | "date";

/**
 * feedparser result paths that have a counterpart in ParsedFeed, and how to compare them.
 * Titles are plain text in warta, so an HTML expectation is also read as the text it shows;
 * summaries and content are compared as the text a reader sees plus the http(s) URLs they
 * link to, because feedparser's HTML is normalised by its sanitiser and warta's is not.
 */
const FIELDS: Readonly<Record<string, { kind: Kind; get: (feed: ParsedFeed) => unknown }>> = {
  "feed.title": { kind: "text", get: (f) => f.title },
  "feed.title_detail.value": { kind: "text", get: (f) => f.title },
  "feed.link": { kind: "url", get: (f) => f.link },
  "feed.language": { kind: "language", get: (f) => f.language },
  "entries.0.title": { kind: "text", get: (f) => f.entries[0]?.title },
  "entries.0.title_detail.value": { kind: "text", get: (f) => f.entries[0]?.title },
  "entries.0.link": { kind: "url", get: (f) => f.entries[0]?.url },
  "entries.0.id": { kind: "string", get: (f) => f.entries[0]?.guid },
  "entries.0.author": { kind: "text", get: (f) => f.entries[0]?.author },
  "entries.0.author_detail.name": { kind: "text", get: (f) => f.entries[0]?.author },
  "entries.0.language": { kind: "language", get: (f) => f.entries[0]?.language },
  "entries.0.description": { kind: "html", get: (f) => summaryOf(f) },
  "entries.0.summary": { kind: "html", get: (f) => summaryOf(f) },
  "entries.0.summary_detail.value": { kind: "html", get: (f) => summaryOf(f) },
  "entries.0.content.0.value": { kind: "html", get: (f) => contentOf(f) },
  "entries.0.published_parsed": { kind: "date", get: (f) => f.entries[0]?.published },
  "entries.0.issued_parsed": { kind: "date", get: (f) => f.entries[0]?.published },
  "entries.0.updated_parsed": { kind: "date", get: (f) => f.entries[0]?.updated },
  "entries.0.modified_parsed": { kind: "date", get: (f) => f.entries[0]?.updated },
};

/** feedparser's version names for each of warta's formats. */
const VERSIONS: Readonly<Record<FeedFormat, readonly string[]>> = {
  rss090: ["rss090"],
  rss091: ["rss091n", "rss091u", "rss091"],
  rss092: ["rss092", "rss093", "rss094"],
  rss10: ["rss10"],
  rss20: ["rss20", "rss"],
  atom03: ["atom03"],
  atom10: ["atom10", "atom"],
  json10: ["json1", "json10"],
  json11: ["json1", "json11"],
};

/** feedparser's summary is the description, or else the content. */
function summaryOf(feed: ParsedFeed): string | undefined {
  const entry = feed.entries[0];
  return entry?.summaryHtml ?? entry?.contentHtml;
}

function contentOf(feed: ParsedFeed): string | undefined {
  const entry = feed.entries[0];
  return entry?.contentHtml ?? entry?.summaryHtml;
}

/** Evaluates the parts of a feedparser Expect expression that map to warta's model. */
export function checkExpectation(
  expect: string,
  result: { feed?: ParsedFeed; encoding: string },
  options: { prepareHtml?: (html: string) => string } = {},
): ExpectReport {
  const report: ExpectReport = { checked: [], skipped: [], failures: [] };
  for (const clause of splitConjunction(expect)) {
    const outcome = checkClause(clause, result, options.prepareHtml ?? ((html) => html));
    if (outcome === undefined) {
      report.skipped.push(clause);
      continue;
    }
    report.checked.push(clause);
    if (outcome !== true) report.failures.push(`${clause}  -- got ${outcome}`);
  }
  return report;
}

/** true, a description of what was found instead, or undefined for a clause not checked. */
function checkClause(
  clause: string,
  result: { feed?: ParsedFeed; encoding: string },
  prepareHtml: (html: string) => string,
): true | string | undefined {
  if (/^(not\s+)?bozo$/.test(clause) || /^\d+$/.test(clause)) return undefined;
  const ord = /^ord\((.+)\)\s*==\s*(\d+)$/.exec(clause);
  if (ord) {
    const field = FIELDS[pathOf(ord[1]!) ?? ""];
    if (!field) return undefined;
    if (!result.feed) return "a rejected document";
    const actual = text(String(field.get(result.feed) ?? ""));
    return actual === String.fromCodePoint(Number(ord[2])) ? true : JSON.stringify(actual);
  }
  const m = /^(.+?)\s*==\s*(.+)$/.exec(clause);
  if (!m || m[2]!.includes("==")) return undefined;
  const [, left, right] = m;
  const expected = parseLiteral(right!.trim());
  if (expected === undefined) return undefined;
  if (left === "encoding") {
    return result.encoding === expected ? true : JSON.stringify(result.encoding);
  }
  if (!result.feed) return "a rejected document";
  if (left === "version") {
    const names = VERSIONS[result.feed.format];
    return typeof expected === "string" && names.includes(expected) ? true : result.feed.format;
  }
  if (left === "len(entries)") {
    return result.feed.entries.length === expected ? true : String(result.feed.entries.length);
  }
  const path = pathOf(left!);
  const field = FIELDS[path ?? ""];
  if (!field) return undefined;
  const actual = field.get(result.feed);
  return compare(
    field.kind,
    field.kind === "html" && typeof actual === "string" ? prepareHtml(actual) : actual,
    expected,
  );
}

function compare(kind: Kind, actual: unknown, expected: Literal): true | string {
  const shown =
    actual === undefined
      ? "nothing"
      : actual instanceof Date
        ? actual.toISOString()
        : JSON.stringify(actual);
  if (expected === null) return actual === undefined ? true : shown;
  switch (kind) {
    case "date": {
      if (!Array.isArray(expected) || !(actual instanceof Date)) return shown;
      const [y, mo, d, h, mi, s] = expected;
      const want = Date.UTC(y!, mo! - 1, d, h, mi, s);
      return actual.getTime() === want ? true : shown;
    }
    case "text": {
      // feedparser gives a title as plain text or as HTML, by its declared type: warta's
      // plain-text title must match one reading of it.
      if (typeof expected !== "string") return shown;
      const plain = expected.replace(/\s+/g, " ").trim();
      return actual === plain || actual === text(expected) ? true : shown;
    }
    case "html": {
      if (typeof expected !== "string" || typeof actual !== "string") return shown;
      if (text(actual) !== text(expected)) return `${shown} (text ${JSON.stringify(text(actual))})`;
      const want = webLinks(expected);
      const got = webLinks(actual);
      return want.every((link, i) => got[i] === link) ? true : `${shown} (links ${got})`;
    }
    case "url": {
      if (typeof expected !== "string") return shown;
      return actual === new URL(expected).href ? true : shown;
    }
    case "language":
      return typeof expected === "string" &&
        typeof actual === "string" &&
        actual.toLowerCase() === expected.toLowerCase()
        ? true
        : shown;
    default:
      return actual === expected ? true : shown;
  }
}

/** What a reader sees of an HTML value, whitespace collapsed. */
function text(html: string): string {
  return htmlToText(html).replace(/\s+/g, " ").trim();
}

/** The http(s) URLs an HTML value links to or embeds, in order. */
function webLinks(html: string): string[] {
  return [...html.matchAll(/\s(?:href|src)\s*=\s*["']?(https?:[^"'\s>]+)/gi)].map((m) => m[1]!);
}

/** "entries[0]['title_detail']['value']" and "entries[0].title_detail.value" as a dotted path. */
function pathOf(expression: string): string | undefined {
  const m = /^(entries|feed)((?:\[\d+\]|\[(['"])[\w:-]+\3\]|\.[a-z_]+)*)$/.exec(expression.trim());
  if (!m) return undefined;
  const parts = [...m[2]!.matchAll(/\[(\d+)\]|\[['"]([\w:-]+)['"]\]|\.([a-z_]+)/g)].map(
    (p) => p[1] ?? p[2] ?? p[3]!,
  );
  return [m[1], ...parts].join(".");
}

/** Splits "a and (b) and c" at top-level "and"s, outside quotes and parentheses. */
function splitConjunction(expression: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i]!;
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') {
      quote = c;
    } else if (c === "(" || c === "[") {
      depth++;
    } else if (c === ")" || c === "]") {
      depth--;
    } else if (depth === 0 && expression.startsWith(" and ", i)) {
      parts.push(expression.slice(start, i));
      start = i + 5;
      i += 4;
    }
  }
  parts.push(expression.slice(start));
  return parts
    .map((p) =>
      p
        .trim()
        .replace(/^\((.*)\)$/, "$1")
        .trim(),
    )
    .filter(Boolean);
}

/** A Python literal: a (u-)string with its escapes, None, an integer or a tuple of numbers. */
function parseLiteral(source: string): Literal | undefined {
  if (source === "None") return null;
  if (/^-?\d+$/.test(source)) return Number(source);
  const tuple = /^\(([\d\s,.-]+)\)$/.exec(source);
  if (tuple)
    return tuple[1]!
      .split(",")
      .filter((s) => s.trim() !== "")
      .map(Number);
  const string = /^u?(['"])([\s\S]*)\1$/.exec(source);
  if (!string) return undefined;
  return string[2]!.replace(
    /\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|x[0-9a-fA-F]{2}|[nrt'"\\])/g,
    (_, sequence: string) => {
      if (/^[uUx]/.test(sequence)) {
        return String.fromCodePoint(Number.parseInt(sequence.slice(1), 16));
      }
      return { n: "\n", r: "\r", t: "\t" }[sequence] ?? sequence;
    },
  );
}
