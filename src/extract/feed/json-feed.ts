import type { ArticleImage, FeedEntry, FeedFormat, ParsedFeed } from "../../domain/index.js";
import { AppError } from "../../shared/errors.js";
import { parseFeedDate } from "./dates.js";
import { resolveHtmlUrls, resolveUrl, textToHtml, toPlainText } from "./html.js";
import { type FeedContext, normalizeLanguage, unknownFormat } from "./xml-feed.js";
import { MAX_ENTRIES } from "./xml-tree.js";

type Json = Record<string, unknown>;

const VERSION_RE = /^https?:\/\/jsonfeed\.org\/version\/(\d+(?:\.\d+)?)\/?$/i;

/** Parses a JSON Feed 1.0 or 1.1 document. */
export function parseJsonFeed(text: string, context: FeedContext): ParsedFeed {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new AppError(
      "PARSE_FEED",
      `feed: ${context.url}: not well-formed JSON${jsonLine(text, error)}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  if (!isObject(data)) throw unknownFormat(context.url, "JSON that is not an object");
  const format = detectVersion(data);
  if (!format) throw unknownFormat(context.url, "JSON without a jsonfeed.org version");

  const base = resolveUrl(string(data.feed_url), context.url) ?? context.url;
  const feedAuthor = authorName(data);
  const feed: ParsedFeed = {
    format,
    title: toPlainText(string(data.title) ?? "", "text"),
    entries: [],
  };
  const link = resolveUrl(string(data.home_page_url), base);
  if (link) feed.link = link;
  const language = normalizeLanguage(string(data.language));
  if (language) feed.language = language;
  // As many entries as an XML feed may give (JSON.parse has built the rest already).
  const items = Array.isArray(data.items) ? data.items.slice(0, MAX_ENTRIES) : [];
  for (const item of items) {
    if (!isObject(item)) continue;
    const entry = mapItem(item, base, context);
    if (!entry.author && feedAuthor) entry.author = feedAuthor;
    feed.entries.push(entry);
  }
  return feed;
}

function detectVersion(data: Json): FeedFormat | undefined {
  const version = string(data.version);
  const m = version ? VERSION_RE.exec(version.trim()) : null;
  if (m) return m[1] === "1" ? "json10" : "json11";
  // No version but a list of items: read it leniently as 1.1 when it uses 1.1's "authors".
  if (version === undefined && Array.isArray(data.items)) {
    return "authors" in data ? "json11" : "json10";
  }
  return undefined;
}

function mapItem(item: Json, base: string, context: FeedContext): FeedEntry {
  const url = resolveUrl(string(item.url), base) ?? resolveUrl(string(item.external_url), base);
  const entry: FeedEntry = {
    title: toPlainText(string(item.title) ?? "", "text"),
    categories: [
      ...new Set(
        (Array.isArray(item.tags) ? item.tags : [])
          .filter((tag): tag is string => typeof tag === "string")
          .map((tag) => tag.trim())
          .filter((tag) => tag !== ""),
      ),
    ],
  };
  const id = typeof item.id === "number" ? String(item.id) : string(item.id)?.trim();
  if (id) entry.guid = id;
  if (url) entry.url = url;
  const contentBase = url ?? base;
  const html = string(item.content_html);
  const contentText = string(item.content_text);
  const content = html?.trim()
    ? resolveHtmlUrls(html.trim(), contentBase)
    : contentText?.trim()
      ? textToHtml(contentText)
      : undefined;
  if (content) entry.contentHtml = content;
  const summary = string(item.summary)?.trim();
  if (summary) entry.summaryHtml = textToHtml(summary);
  const published = parseFeedDate(string(item.date_published), context.timezone);
  if (published) entry.published = published;
  const updated = parseFeedDate(string(item.date_modified), context.timezone);
  if (updated) entry.updated = updated;
  const author = authorName(item);
  if (author) entry.author = author;
  const image = imageOf(item, contentBase);
  if (image) entry.image = image;
  const language = normalizeLanguage(string(item.language));
  if (language) entry.language = language;
  return entry;
}

/** JSON Feed 1.1 "authors" (all names), else 1.0 "author". */
function authorName(data: Json): string | undefined {
  const people = Array.isArray(data.authors) ? data.authors : [data.author];
  const names = people
    .filter(isObject)
    .map((person) => string(person.name)?.trim())
    .filter((name): name is string => !!name);
  return names.length > 0 ? [...new Set(names)].join(", ") : undefined;
}

function imageOf(item: Json, base: string): ArticleImage | undefined {
  const url = resolveUrl(string(item.image), base) ?? resolveUrl(string(item.banner_image), base);
  if (url) return { url };
  const attachments = Array.isArray(item.attachments) ? item.attachments : [];
  for (const attachment of attachments) {
    if (!isObject(attachment)) continue;
    const type = string(attachment.mime_type)?.trim().toLowerCase();
    const href = resolveUrl(string(attachment.url), base);
    if (!href || !type?.startsWith("image/")) continue;
    const image: ArticleImage = { url: href, type };
    if (typeof attachment.size_in_bytes === "number" && attachment.size_in_bytes > 0) {
      image.length = attachment.size_in_bytes;
    }
    return image;
  }
  return undefined;
}

function jsonLine(text: string, error: unknown): string {
  const position = /position (\d+)/.exec((error as Error).message)?.[1];
  if (position === undefined) return "";
  return ` at line ${text.slice(0, Number(position)).split("\n").length}`;
}

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function string(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}
