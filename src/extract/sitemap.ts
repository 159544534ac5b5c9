import { XMLParser } from "fast-xml-parser";
import { AppError } from "../shared/errors.js";
import { isRecord } from "./fields.js";

/** One page listed by a sitemap. */
export interface SitemapEntry {
  url: string;
  /** lastmod, or the Google News publication date. */
  modified?: Date;
  /** Google News title, when given. */
  title?: string;
}

/** What a sitemap lists: pages, or (for a sitemap index) further sitemaps. */
export interface Sitemap {
  entries: SitemapEntry[];
  sitemaps: string[];
}

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  processEntities: false,
  isArray: (name) => name === "url" || name === "sitemap",
});

function text(value: unknown): string | undefined {
  if (typeof value === "string") return value.trim();
  if (typeof value === "number") return String(value);
  if (isRecord(value) && typeof value["#text"] === "string") return value["#text"].trim();
  return undefined;
}

function absolute(location: string | undefined, base: string): string | undefined {
  if (!location) return undefined;
  try {
    const url = new URL(location.replace(/&amp;/g, "&"), base);
    return url.protocol === "http:" || url.protocol === "https:" ? url.toString() : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads a sitemap (urlset), a sitemap index, or a Google News sitemap. Entries are listed
 * newest first when the sitemap gives dates. Throws PARSE_FEED naming the URL when the
 * document is not a sitemap.
 */
export function parseSitemap(xml: string, url: string): Sitemap {
  let doc: unknown;
  try {
    doc = parser.parse(xml, true);
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new AppError("PARSE_FEED", `sitemap: ${url}: not well-formed XML: ${message}`, { cause });
  }
  if (!isRecord(doc)) throw new AppError("PARSE_FEED", `sitemap: ${url}: empty document`);
  if (isRecord(doc.sitemapindex)) {
    const list = doc.sitemapindex.sitemap;
    const sitemaps = (Array.isArray(list) ? list : [])
      .map((item) => absolute(isRecord(item) ? text(item.loc) : undefined, url))
      .filter((loc): loc is string => loc !== undefined);
    return { entries: [], sitemaps };
  }
  if (!isRecord(doc.urlset)) {
    throw new AppError(
      "PARSE_UNKNOWN_FORMAT",
      `sitemap: ${url}: not a sitemap (no <urlset> or <sitemapindex>)`,
    );
  }
  const list = doc.urlset.url;
  const entries: SitemapEntry[] = [];
  for (const item of Array.isArray(list) ? list : []) {
    if (!isRecord(item)) continue;
    const loc = absolute(text(item.loc), url);
    if (!loc) continue;
    const entry: SitemapEntry = { url: loc };
    const news = isRecord(item.news) ? item.news : undefined;
    const when = text(news?.publication_date) ?? text(item.lastmod);
    const date = when ? new Date(when) : undefined;
    if (date && !Number.isNaN(date.getTime())) entry.modified = date;
    const title = text(news?.title);
    if (title) entry.title = title;
    entries.push(entry);
  }
  entries.sort((a, b) => (b.modified?.getTime() ?? 0) - (a.modified?.getTime() ?? 0));
  return { entries, sitemaps: [] };
}
