import type { ArticleImage } from "../../domain/index.js";
import { findNewsDate, parseNewsDate } from "../../shared/dates.js";
import { decodeEntities } from "../html-text.js";
import { type DomDocument, type DomElement, squash, textOf, walkElements } from "./dom.js";

/** What a page says about itself in its <head>, JSON-LD and microdata. */
export interface PageMetadata {
  title?: string;
  /** Canonical URL of the article. */
  url?: string;
  published?: Date;
  updated?: Date;
  author?: string;
  image?: ArticleImage;
  language?: string;
  summary?: string;
  siteName?: string;
  /** Sections the page files the article under (articleSection, article:section). */
  categories: string[];
  /** Keywords (article:tag, JSON-LD keywords). */
  tags: string[];
  /** Whether the page says it is an article (JSON-LD or og:type), if it says anything. */
  declaresArticle?: boolean;
}

type JsonObject = Record<string, unknown>;

/** schema.org types of articles. */
const ARTICLE_TYPES: ReadonlySet<string> = new Set([
  "article",
  "newsarticle",
  "blogposting",
  "reportagenewsarticle",
  "analysisnewsarticle",
  "opinionnewsarticle",
  "reviewnewsarticle",
  "backgroundnewsarticle",
  "askpublicnewsarticle",
  "livenewsarticle",
  "liveblogposting",
  "techarticle",
  "scholarlyarticle",
  "socialmediaposting",
  "report",
  "posting",
]);

/** schema.org types of pages that list other pages. */
const LISTING_TYPES: ReadonlySet<string> = new Set([
  "collectionpage",
  "itemlist",
  "searchresultspage",
  "website",
]);

/** Meta names that carry the publication date, most specific first. */
const PUBLISHED_NAMES = [
  "article:published_time",
  "og:published_time",
  "article:published",
  "datepublished",
  "date",
  "pubdate",
  "publishdate",
  "publish-date",
  "publish_date",
  "publication_date",
  "sailthru.date",
  "parsely-pub-date",
  "dc.date.issued",
  "dc.date",
  "dcterms.created",
  "dcterms.date",
  "article.published",
  "og:article:published_time",
  "content_publisheddate",
  "datecreated",
];

const UPDATED_NAMES = [
  "article:modified_time",
  "og:updated_time",
  "article:updated_time",
  "datemodified",
  "last-modified",
  "dcterms.modified",
  "article.updated",
];

/** Class or id words of the elements that print the date of an article. */
const DATE_CLASS_RE = /date|time|tanggal|tgl|waktu|publish|posted|meta|byline|dateline|jam/i;

/** A zone written after a time: WIB, GMT+7, +07:00, UTC. */
const EXPLICIT_ZONE_RE = /\b(?:wib|wita|wit|gmt|utc|[a-z]st|[a-z]dt)\b|[+-]\d{2}:?\d{2}\b|\dz\b/i;

/** Reads the metadata of a page. URLs are resolved against `baseUrl`. */
export function readPageMetadata(
  document: DomDocument,
  options: { baseUrl?: string; timezone: string },
): PageMetadata {
  const meta = metaValues(document);
  const ld = findArticleNode(document);
  const first = (...keys: string[]) => {
    for (const key of keys) {
      const value = meta.get(key)?.find((v) => v !== "");
      if (value !== undefined) return value;
    }
    return undefined;
  };
  const resolve = (value: string | undefined) => absoluteUrl(value, options.baseUrl);
  const siteName = first("og:site_name", "application-name", "twitter:site");

  const published =
    readDate(stringField(ld.article, "datePublished"), options.timezone) ??
    readDate(first(...PUBLISHED_NAMES), options.timezone) ??
    readDate(
      document.querySelector("time[pubdate], [itemprop=datePublished]")?.getAttribute("datetime"),
      options.timezone,
    ) ??
    readDate(stringField(ld.article, "dateCreated"), options.timezone);
  const updated =
    readDate(stringField(ld.article, "dateModified"), options.timezone) ??
    readDate(first(...UPDATED_NAMES), options.timezone);

  const title = chooseTitle(document, {
    declared:
      stringField(ld.article, "headline") ??
      first("og:title", "twitter:title", "title", "headline") ??
      (squash(document.title) || undefined),
    siteName,
    baseUrl: options.baseUrl,
  });

  const visible = findVisibleDate(document, options.timezone, title);
  const metadata: PageMetadata = {
    title,
    url:
      resolve(document.querySelector("link[rel~=canonical]")?.getAttribute("href") ?? undefined) ??
      resolve(first("og:url")) ??
      resolve(stringField(ld.article, "url")),
    published: reconcileZone(published, visible) ?? visible?.date,
    updated,
    author: chooseAuthor(
      document,
      ld,
      first("author", "article:author", "dc.creator", "byl"),
      siteTokens(siteName, options.baseUrl),
    ),
    image: chooseImage(ld.article, meta, resolve),
    language: normaliseLanguage(
      document.documentElement.getAttribute("lang") ??
        document.documentElement.getAttribute("xml:lang") ??
        stringField(ld.article, "inLanguage") ??
        first("content-language", "language", "og:locale", "dc.language"),
    ),
    summary:
      squash(stringField(ld.article, "description")) ||
      first("description", "og:description", "twitter:description"),
    siteName,
    categories: unique([
      ...ldList(ld.article?.articleSection),
      ...(meta.get("article:section") ?? []),
    ]),
    tags: unique([...ldList(ld.article?.keywords), ...(meta.get("article:tag") ?? [])]),
    declaresArticle: declaresArticle(ld, first("og:type")),
  };
  return metadata;
}

/** `<meta>` values by lower-cased name, property, itemprop or http-equiv, in page order. */
function metaValues(document: DomDocument): Map<string, string[]> {
  const values = new Map<string, string[]>();
  for (const element of Array.from(document.querySelectorAll("meta"))) {
    const content = element.getAttribute("content") ?? element.getAttribute("value");
    if (content === null) continue;
    for (const attribute of ["name", "property", "itemprop", "http-equiv"]) {
      const key = element.getAttribute(attribute)?.trim().toLowerCase();
      if (!key) continue;
      for (const name of key.split(/\s+/)) {
        const list = values.get(name) ?? [];
        list.push(squash(content));
        values.set(name, list);
      }
    }
  }
  return values;
}

interface LinkedData {
  article?: JsonObject;
  /** Every node, by @id, to resolve references ("author": {"@id": ...}). */
  byId: Map<string, JsonObject>;
  types: Set<string>;
}

/** The JSON-LD node of the article, looking inside arrays, @graph and mainEntity. */
function findArticleNode(document: DomDocument): LinkedData {
  const nodes: JsonObject[] = [];
  for (const script of Array.from(
    document.querySelectorAll('script[type="application/ld+json"]'),
  )) {
    const text = (script.textContent ?? "")
      .replace(/^\s*(?:<!--|\/\/\s*<!\[CDATA\[)/, "")
      .replace(/(?:-->|\/\/\s*\]\]>)\s*$/, "");
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      continue;
    }
    const queue: unknown[] = [data];
    while (queue.length > 0 && nodes.length < 500) {
      const item = queue.shift();
      if (Array.isArray(item)) queue.push(...item);
      else if (isObject(item)) {
        nodes.push(item);
        if (item["@graph"] !== undefined) queue.push(item["@graph"]);
        if (isObject(item.mainEntity)) queue.push(item.mainEntity);
      }
    }
  }
  const byId = new Map<string, JsonObject>();
  const types = new Set<string>();
  for (const node of nodes) {
    if (typeof node["@id"] === "string") byId.set(node["@id"], node);
    for (const type of typesOf(node)) types.add(type);
  }
  const article = nodes.find((node) => typesOf(node).some((type) => ARTICLE_TYPES.has(type)));
  return { article, byId, types };
}

function typesOf(node: JsonObject): string[] {
  const type = node["@type"];
  const list = Array.isArray(type) ? type : [type];
  return list.filter((t): t is string => typeof t === "string").map((t) => t.toLowerCase());
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function stringField(node: JsonObject | undefined, key: string): string | undefined {
  const value = node?.[key];
  const text =
    typeof value === "string"
      ? value
      : isObject(value) && typeof value["@value"] === "string"
        ? value["@value"]
        : Array.isArray(value) && typeof value[0] === "string"
          ? value[0]
          : undefined;
  // Some CMSs put HTML-escaped text in JSON-LD ("&#8216;").
  return text === undefined ? undefined : squash(decodeEntities(text)) || undefined;
}

/** A JSON-LD list of names: an array, or one comma-separated string. */
function ldList(value: unknown): string[] {
  if (typeof value === "string") return value.split(",").map((part) => squash(part));
  if (Array.isArray(value))
    return value.filter((item) => typeof item === "string").map((item) => squash(item));
  return [];
}

function unique(values: string[]): string[] {
  return [...new Set(values.filter((value) => value !== ""))];
}

function declaresArticle(ld: LinkedData, ogType: string | undefined): boolean | undefined {
  if (ld.article) return true;
  if (ogType)
    return /article|news|blog/i.test(ogType)
      ? true
      : ogType.toLowerCase() === "website"
        ? false
        : undefined;
  if ([...ld.types].some((type) => LISTING_TYPES.has(type))) return false;
  return undefined;
}

/** Reads a date from metadata, tolerating "2015-11-05 T10:08:58Z". */
function readDate(value: string | null | undefined, timezone: string): Date | undefined {
  if (!value) return undefined;
  const text = squash(value).replace(/(\d)\s+T\s*(\d)/i, "$1T$2");
  const date =
    parseNewsDate(text, timezone) ?? (/^\d{4}-\d{2}-\d{2}T/.test(text) ? isoDate(text) : undefined);
  return date && plausible(date) ? date : undefined;
}

/** Placeholders ("0001-01-01") and other calendars' years (1438 H) are not publication dates. */
function plausible(date: Date): boolean {
  const year = date.getUTCFullYear();
  return year >= 1970 && year < 2200;
}

function isoDate(text: string): Date | undefined {
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

interface VisibleDate {
  date: Date;
  /** Whether the page printed the zone ("10:08 WIB"). */
  zoned: boolean;
  /** Whether the page printed a time, not only a day. */
  timed: boolean;
}

/**
 * The date the page prints with the article ("Kamis, 05/11/2015 10:08 WIB"): the one
 * nearest to the headline (one with a time preferred), else the first in a <time> or in an
 * element whose class or id speaks of dates.
 */
function findVisibleDate(
  document: DomDocument,
  timezone: string,
  title: string | undefined,
): VisibleDate | undefined {
  const body = document.body;
  if (!body) return undefined;
  const headline = findHeadline(document, title);
  if (headline) {
    // First the position of every short element, then dates read only near the headline.
    const candidates: { element: DomElement; text: string; offset: number }[] = [];
    let offset = 0;
    let headlineOffset: number | undefined;
    walkElements(body, (element) => {
      if (element === headline) {
        headlineOffset = offset;
        offset += textOf(element).length;
        return "skip";
      }
      const text = textOf(element);
      if (text.length > 160) return undefined;
      if (/\d/.test(text) || element.hasAttribute("datetime")) {
        candidates.push({ element, text, offset });
      }
      offset += text.length;
      return "skip";
    });
    if (headlineOffset !== undefined) {
      const at = headlineOffset;
      const near = candidates
        .map((entry) => ({ ...entry, distance: Math.abs(entry.offset - at) }))
        .filter((entry) => entry.distance <= NEAR_HEADLINE)
        .sort((a, b) => a.distance - b.distance)
        .flatMap((entry) => {
          const date = dateIn(entry.element, entry.text, timezone);
          return date ? [date] : [];
        });
      const best = near.find((date) => date.timed) ?? near[0];
      if (best) return best;
    }
  }
  let checked = 0;
  for (const element of Array.from(body.querySelectorAll("time, [class], [id]"))) {
    const names = `${element.getAttribute("class") ?? ""} ${element.getAttribute("id") ?? ""}`;
    if (element.localName.toLowerCase() !== "time" && !DATE_CLASS_RE.test(names)) continue;
    if (++checked > 200) break;
    const date = dateIn(element, textOf(element), timezone);
    if (date) return date;
  }
  return undefined;
}

/** How far from the headline (in characters of page text) its date line may be. */
const NEAR_HEADLINE = 800;

/**
 * The page's headline element: the <h1> that reads like the title, else an element (not a
 * link) whose text is the title, else the first <h1>.
 */
function findHeadline(document: DomDocument, title: string | undefined): DomElement | undefined {
  const headings = Array.from(document.querySelectorAll("h1"));
  if (title) {
    const key = compareKey(title);
    const match = headings.find((h) => {
      const text = compareKey(textOf(h));
      return text !== "" && (text === key || key.includes(text) || text.includes(key));
    });
    if (match) return match;
    const body = document.body;
    let found: DomElement | undefined;
    if (body && key !== "") {
      walkElements(body, (element) => {
        if (found) return "skip";
        const text = textOf(element);
        if (text.length > 400) return undefined;
        if (compareKey(text) === key && !element.closest("a") && !element.querySelector("a")) {
          found = element;
        }
        return compareKey(text).includes(key) ? undefined : "skip";
      });
    }
    if (found) return found;
  }
  return headings[0];
}

function dateIn(element: DomElement, text: string, timezone: string): VisibleDate | undefined {
  const datetime = element.getAttribute("datetime");
  if (datetime) {
    const date = readDate(datetime, timezone);
    if (date) return { date, zoned: EXPLICIT_ZONE_RE.test(datetime), timed: /T\d/.test(datetime) };
  }
  if (text.length === 0 || text.length > 160 || !/\d/.test(text)) return undefined;
  const found = findNewsDate(text, timezone);
  if (!found || !/\d{4}/.test(found.text) || !plausible(found.date)) return undefined;
  return {
    date: found.date,
    zoned: EXPLICIT_ZONE_RE.test(found.text),
    timed: /\d[:.]\d{2}/.test(found.text),
  };
}

/**
 * Some sites label local time as UTC in their metadata ("10:08:58Z" for 10:08 WIB). When the
 * page prints the same wall-clock time with an explicit zone, whole hours apart, the printed
 * zone wins and the metadata keeps its seconds.
 */
function reconcileZone(
  metadata: Date | undefined,
  visible: VisibleDate | undefined,
): Date | undefined {
  if (!metadata || !visible?.zoned) return metadata;
  const difference = visible.date.getTime() - metadata.getTime();
  const hours = Math.round(difference / 3_600_000);
  if (hours === 0 || Math.abs(hours) > 14) return metadata;
  const rest = Math.abs(difference - hours * 3_600_000);
  return rest < 60_000 ? new Date(metadata.getTime() + hours * 3_600_000) : metadata;
}

/**
 * The headline: the page's <h1> when the declared title (og:title, <title>) contains it,
 * else the declared title without the site name around it ("Judul - Kompas.com").
 */
function chooseTitle(
  document: DomDocument,
  options: {
    declared: string | undefined;
    siteName: string | undefined;
    baseUrl: string | undefined;
  },
): string | undefined {
  const declared = options.declared;
  const headings = Array.from(document.querySelectorAll("h1"))
    .map((h) => textOf(h))
    .filter((text) => text.length >= 8 && text.length <= 300);
  if (declared) {
    const key = compareKey(declared);
    for (const heading of headings) {
      const headingKey = compareKey(heading);
      if (headingKey === key) return heading;
      if (headingKey.length >= key.length * 0.4 && key.includes(headingKey)) return heading;
    }
    return stripSiteName(declared, siteTokens(options.siteName, options.baseUrl));
  }
  return headings[0];
}

function compareKey(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

/** Words that name the site: from og:site_name and the host name. */
function siteTokens(siteName: string | undefined, baseUrl: string | undefined): string[] {
  const tokens = new Set<string>();
  if (siteName) tokens.add(compact(siteName));
  if (baseUrl) {
    try {
      const parts = new URL(baseUrl).hostname.split(".");
      for (const part of parts) {
        if (part.length >= 4 && !["www", "com", "news", "co", "id", "org", "net"].includes(part)) {
          tokens.add(compact(part));
        }
      }
    } catch {
      // No usable URL: only the site name counts.
    }
  }
  tokens.delete("");
  return [...tokens];
}

function compact(text: string): string {
  return text
    .toLowerCase()
    .replace(/\.(?:com|co\.id|co|id|net|org)\b/g, "")
    .replace(/[^\p{L}\p{N}]+/gu, "");
}

/** Removes the site name before or after the headline ("Kompas.com: ...", "... | Tempo"). */
function stripSiteName(title: string, tokens: string[]): string {
  const separators = /\s+[|–—-]\s+|\s+::?\s+|\s*»\s*/g;
  const parts = title.split(separators).map((part) => part.trim());
  if (parts.length < 2) {
    const prefix = /^([^:]{2,40}):\s+(.{10,})$/.exec(title);
    if (prefix && isSite(prefix[1]!, tokens)) return prefix[2]!;
    return title;
  }
  let start = 0;
  let end = parts.length;
  while (end - start > 1 && isSite(parts[end - 1]!, tokens)) end--;
  while (end - start > 1 && isSite(parts[start]!, tokens)) start++;
  if (start === 0 && end === parts.length) {
    // Without a known site name, only a short last part is taken for one.
    const last = parts[parts.length - 1]!;
    if (tokens.length === 0 && last.length <= 25 && parts.slice(0, -1).join(" ").length > 20) {
      end--;
    } else {
      return title;
    }
  }
  const kept = parts.slice(start, end);
  // Of a "Section - Headline" rest, the longest part is the headline.
  return kept.reduce((best, part) => (part.length > best.length ? part : best), kept[0]!);
}

function isSite(part: string, tokens: string[]): boolean {
  const key = compact(part.replace(/^([^:]+):.*$/, "$1"));
  if (key === "") return false;
  return tokens.some((token) => key.includes(token) || (token.includes(key) && key.length >= 4));
}

/** Author names: JSON-LD, then <meta name=author>, then a byline; never the site's name. */
function chooseAuthor(
  document: DomDocument,
  ld: LinkedData,
  declared: string | undefined,
  site: readonly string[],
): string | undefined {
  const usable = (name: string | undefined) => {
    const cleaned = name ? cleanAuthor(name) : undefined;
    if (!cleaned) return undefined;
    // The publisher is not an author: "Liputan6.com", "PT. VIVA MEDIA BARU - VIVA.co.id".
    const key = compact(cleaned);
    if (/\.(?:com|co|id|net|org)\b/i.test(cleaned) || site.some((token) => key.includes(token))) {
      return undefined;
    }
    return cleaned;
  };
  const fromLd = usable(ldNames(ld.article?.author, ld.byId));
  if (fromLd) return fromLd;
  const fromMeta = usable(declared);
  if (fromMeta) return fromMeta;
  const element = document.querySelector(
    "[itemprop~=author] [itemprop~=name], [itemprop~=author], [rel~=author], .byline [class*=name], .author-name, .byline, .author",
  );
  const text = element ? (element.getAttribute("content") ?? textOf(element)) : undefined;
  if (!text || text.length > 100 || NOT_AUTHORS.test(text)) return undefined;
  return usable(text);
}

function ldNames(value: unknown, byId: Map<string, JsonObject>): string | undefined {
  const items = Array.isArray(value) ? value : [value];
  const names: string[] = [];
  for (const item of items) {
    if (typeof item === "string") names.push(decodeEntities(item));
    else if (isObject(item)) {
      const node = typeof item["@id"] === "string" && !item.name ? byId.get(item["@id"]) : item;
      if (node && typeof node.name === "string") names.push(decodeEntities(node.name));
    }
  }
  const joined = names.map((name) => squash(name)).filter((name) => name !== "");
  return joined.length > 0 ? [...new Set(joined)].join(", ") : undefined;
}

/** Texts of author-like elements that name no person: networks, photo credits. */
const NOT_AUTHORS =
  /^(?:facebook|twitter|instagram|whatsapp|linkedin|email|e-mail|share|bagikan|dok\b|foto\b|photo\b|image\b|getty|reuters\b|ap photo)/i;

/** "By Jane Doe" as "Jane Doe"; a profile URL is not a name. */
function cleanAuthor(name: string): string | undefined {
  const text = squash(name)
    .replace(
      /^(?:by|oleh|penulis|pewarta|reporter|wartawan|kontributor|author|written by|posted by)\s*:?\s+/i,
      "",
    )
    .replace(/\s*[|,-]?\s*(?:\d{1,2}\s+\w+\s+\d{4}|\w+\s+\d{1,2},\s+\d{4}).*$/, "")
    .trim();
  if (text === "" || /^https?:\/\//i.test(text) || text.length > 100) return undefined;
  return text;
}

function chooseImage(
  article: JsonObject | undefined,
  meta: Map<string, string[]>,
  resolve: (value: string | undefined) => string | undefined,
): ArticleImage | undefined {
  const fromLd = ldImage(article?.image);
  if (fromLd) {
    const url = resolve(fromLd.url);
    if (url) return { ...fromLd, url };
  }
  for (const key of [
    "og:image:secure_url",
    "og:image",
    "og:image:url",
    "twitter:image",
    "twitter:image:src",
    "image",
    "thumbnailurl",
  ]) {
    const url = resolve(meta.get(key)?.[0]);
    if (!url) continue;
    const image: ArticleImage = { url };
    if (key.startsWith("og:")) {
      const width = Number(meta.get("og:image:width")?.[0]);
      const height = Number(meta.get("og:image:height")?.[0]);
      const alt = meta.get("og:image:alt")?.[0];
      if (Number.isInteger(width) && width > 0) image.width = width;
      if (Number.isInteger(height) && height > 0) image.height = height;
      if (alt) image.alt = alt;
    }
    return image;
  }
  return undefined;
}

function ldImage(value: unknown): ArticleImage | undefined {
  const item = Array.isArray(value) ? value[0] : value;
  if (typeof item === "string") return { url: item };
  if (!isObject(item)) return undefined;
  const url =
    typeof item.url === "string"
      ? item.url
      : typeof item.contentUrl === "string"
        ? item.contentUrl
        : undefined;
  if (!url) return undefined;
  const image: ArticleImage = { url };
  const width = Number(item.width);
  const height = Number(item.height);
  if (Number.isInteger(width) && width > 0) image.width = width;
  if (Number.isInteger(height) && height > 0) image.height = height;
  if (typeof item.caption === "string" && item.caption.trim() !== "")
    image.alt = squash(item.caption);
  return image;
}

/** An absolute http(s) URL, or undefined. */
export function absoluteUrl(
  value: string | null | undefined,
  base: string | undefined,
): string | undefined {
  if (!value) return undefined;
  let trimmed = value.trim();
  if (trimmed === "" || /^(?:data|javascript|about):/i.test(trimmed)) return undefined;
  // A URL glued to a stray prefix ("http:http://cdn...") is the URL at its end.
  const embedded = /.(https?:\/\/.+)$/i.exec(trimmed);
  if (embedded && !/^https?:\/\//i.test(trimmed)) trimmed = embedded[1]!;
  try {
    const url = new URL(trimmed, base);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** Deprecated ISO 639 codes that old pages still declare. */
const OLD_LANGUAGE_CODES: Readonly<Record<string, string>> = { in: "id", iw: "he", ji: "yi" };

/** "id_ID" as "id", "en-US" as "en": the primary language subtag, lower-cased. */
function normaliseLanguage(value: string | null | undefined): string | undefined {
  const m = value ? /^\s*([a-zA-Z]{2,3})(?:[-_][a-zA-Z0-9]+)*\s*$/.exec(value) : null;
  if (!m) return undefined;
  const code = m[1]!.toLowerCase();
  return OLD_LANGUAGE_CODES[code] ?? code;
}
