import type { SiteConfig } from "../config/schema.js";
import type { Article, Category } from "../domain/article.js";
import { AppError } from "../shared/errors.js";
import { cleanText, excerpt, imageType, tagUri } from "./text.js";

/** Full article content, or only summaries. */
export type FeedVariant = "full" | "summary";

/** Absolute or public-folder-relative paths, one per XML format. */
export type XmlFormatPaths = Partial<Record<"rss" | "atom", string>>;

/** RFC 5005 links of a feed document, as paths relative to the public folder, per format. */
export interface FeedHistory {
  /** This document is an archive page (fh:archive). */
  archive?: boolean;
  /** The subscription document of the feed this archive page belongs to. */
  current?: XmlFormatPaths;
  /** The archive page before this one (for a subscription document: the newest archive). */
  prevArchive?: XmlFormatPaths;
  /** The archive page after this one. */
  nextArchive?: XmlFormatPaths;
}

/** What one feed (in up to three formats) is about. */
export interface FeedSpec {
  /** Folder of the feed files, relative to the public folder: "feeds", "feeds/category/ekonomi". */
  dir: string;
  /** File names inside `dir`, when not the usual ones (FEED_FILES). */
  files?: Partial<Record<FeedFormat, string>>;
  /** The formats to write; all three when not given. */
  formats?: readonly FeedFormat[];
  title: string;
  description: string;
  /** Absolute URL of the HTML page the feed stands for. */
  homePage: string;
  /** Update time written when the feed has no articles; defaults to the Unix epoch. */
  emptyUpdated?: Date;
  /** Full content (the default) or summaries only. */
  variant?: FeedVariant;
  /** Absolute URL of a WebSub hub announced by every document of the feed. */
  hub?: string;
  /** RFC 5005 archive links. */
  history?: FeedHistory;
  /** Path (relative to the public folder) whose URL is the Atom id, when not the Atom document's own. */
  atomIdPath?: string;
}

/** File names of the three formats inside a feed folder. */
export const FEED_FILES = { rss: "rss.xml", atom: "atom.xml", json: "feed.json" } as const;

export type FeedFormat = keyof typeof FEED_FILES;

/** Every format, in the order feeds are written and listed. */
export const FEED_FORMATS: readonly FeedFormat[] = ["rss", "atom", "json"];

/** MIME types of the formats, as served. */
export const FEED_CONTENT_TYPES: Readonly<Record<FeedFormat, string>> = {
  rss: "application/rss+xml; charset=utf-8",
  atom: "application/atom+xml; charset=utf-8",
  json: "application/feed+json; charset=utf-8",
};

/** What a feed item is made from: an article, or anything shaped like one (an edition). */
export type FeedArticle = Pick<
  Article,
  | "id"
  | "url"
  | "title"
  | "summary"
  | "contentHtml"
  | "contentText"
  | "author"
  | "categories"
  | "language"
  | "published"
  | "updated"
  | "image"
  | "firstSeen"
>;

/** Path of one format's document of a feed, relative to the public folder. */
export function feedPath(spec: Pick<FeedSpec, "dir" | "files">, format: FeedFormat): string {
  return `${spec.dir}/${spec.files?.[format] ?? FEED_FILES[format]}`;
}

/** The formats a spec writes. */
export function specFormats(spec: Pick<FeedSpec, "formats">): readonly FeedFormat[] {
  return spec.formats ?? FEED_FORMATS;
}

/** An article's image, ready to be an enclosure. */
export interface ImageModel {
  url: string;
  type: string;
  /** Bytes; undefined when unknown (never 0). */
  length?: number;
  alt?: string;
  width?: number;
  height?: number;
}

/** One feed item with cleaned text and resolved ids, shared by the three renderers. */
export interface ItemModel {
  id: string;
  url: string;
  title: string;
  summary: string;
  contentHtml: string;
  contentText: string;
  author?: string;
  categories: Category[];
  language: string;
  published: Date;
  updated: Date;
  image?: ImageModel;
}

/** Absolute RFC 5005 links of one document. */
export interface HistoryLinks {
  current?: string;
  prevArchive?: string;
  nextArchive?: string;
}

/** One feed with cleaned text, absolute self URLs and a data-derived update time. */
export interface FeedModel {
  title: string;
  description: string;
  homePage: string;
  language: string;
  selfUrls: Record<FeedFormat, string>;
  /** The Atom id of the feed (the Atom document's URL unless the spec names another). */
  atomId: string;
  updated: Date;
  author?: string;
  copyright?: string;
  variant: FeedVariant;
  hub?: string;
  /** The document is an RFC 5005 archive page. */
  archive: boolean;
  history: Record<"rss" | "atom", HistoryLinks>;
  items: ItemModel[];
}

/** Orders articles newest first by publication time, then by id, independently of input order. */
export function sortArticles<T extends Pick<Article, "id" | "published">>(
  articles: readonly T[],
): T[] {
  return [...articles].sort(
    (a, b) =>
      b.published.getTime() - a.published.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
}

/** The site's base URL with a trailing slash, so relative paths resolve below it. */
export function siteBase(site: SiteConfig): URL {
  const base = new URL(site.base_url);
  if (!base.pathname.endsWith("/")) base.pathname += "/";
  base.search = "";
  base.hash = "";
  return base;
}

/** Absolute URL of a file in the public folder, e.g. "feeds/rss.xml" under the site's base URL. */
export function publicUrl(site: SiteConfig, path: string): string {
  return new URL(path, siteBase(site)).href;
}

/** Gathers what the renderers need, cleaning text and checking the values the XML depends on. */
export function buildFeedModel(
  spec: FeedSpec,
  articles: readonly FeedArticle[],
  site: SiteConfig,
): FeedModel {
  const host = siteBase(site).hostname;
  const variant = spec.variant ?? "full";
  const items = sortArticles(articles).map((article) => buildItem(article, host, variant));
  const newest = items.reduce((max, item) => Math.max(max, item.updated.getTime()), -Infinity);
  const selfUrls = {
    rss: publicUrl(site, feedPath(spec, "rss")),
    atom: publicUrl(site, feedPath(spec, "atom")),
    json: publicUrl(site, feedPath(spec, "json")),
  };
  const history = (format: "rss" | "atom"): HistoryLinks => {
    const links: HistoryLinks = {};
    const { current, prevArchive, nextArchive } = spec.history ?? {};
    if (current?.[format]) links.current = publicUrl(site, current[format]);
    if (prevArchive?.[format]) links.prevArchive = publicUrl(site, prevArchive[format]);
    if (nextArchive?.[format]) links.nextArchive = publicUrl(site, nextArchive[format]);
    return links;
  };
  const model: FeedModel = {
    title: cleanText(spec.title),
    description: cleanText(spec.description),
    homePage: absoluteUrl(spec.homePage, "the feed's home page"),
    language: site.language,
    selfUrls,
    atomId: spec.atomIdPath === undefined ? selfUrls.atom : publicUrl(site, spec.atomIdPath),
    // Derived from the data, never from the clock, so the same articles give the same bytes.
    updated: items.length > 0 ? new Date(newest) : (spec.emptyUpdated ?? new Date(0)),
    author: optionalText(site.author),
    copyright: optionalText(site.copyright),
    variant,
    archive: spec.history?.archive === true,
    history: { rss: history("rss"), atom: history("atom") },
    items,
  };
  if (spec.hub !== undefined) model.hub = absoluteUrl(spec.hub, "the WebSub hub");
  return model;
}

function buildItem(article: FeedArticle, host: string, variant: FeedVariant): ItemModel {
  for (const field of ["published", "updated", "firstSeen"] as const) {
    if (Number.isNaN(article[field].getTime())) {
      throw new AppError(
        "PUBLISH_RENDER",
        `publish: article ${article.id} has an invalid ${field} date`,
      );
    }
  }
  const id = tagUri(host, article.firstSeen, article.id);
  // The library passes Atom ids through the URL parser: the id must survive it unchanged to be
  // the same in all three formats.
  if (new URL(id).href !== id) {
    throw new AppError(
      "PUBLISH_RENDER",
      `publish: article ${article.id} gives an unstable id ${id}`,
    );
  }
  const item: ItemModel = {
    id,
    url: absoluteUrl(article.url, `the URL of article ${article.id}`),
    title: cleanText(article.title),
    summary: cleanText(article.summary),
    contentHtml: variant === "full" ? cleanText(article.contentHtml) : "",
    contentText: variant === "full" ? cleanText(article.contentText) : "",
    author: optionalText(article.author),
    categories: article.categories.map((c) => ({
      slug: cleanText(c.slug),
      name: cleanText(c.name),
    })),
    language: article.language,
    published: article.published,
    updated: article.updated,
  };
  // A summary feed without a summary would show nothing but the title: take the text's start.
  if (variant === "summary" && item.summary.trim() === "") {
    item.summary = excerpt(cleanText(article.contentText));
  }
  if (article.image) {
    const url = new URL(absoluteUrl(article.image.url, `the image of article ${article.id}`));
    const { length } = article.image;
    item.image = {
      url: url.href,
      type: imageType(url, article.image.type),
      length:
        length !== undefined && Number.isSafeInteger(length) && length > 0 ? length : undefined,
      alt: optionalText(article.image.alt),
    };
    const { width, height } = article.image;
    if (width !== undefined && Number.isSafeInteger(width) && width > 0) item.image.width = width;
    if (height !== undefined && Number.isSafeInteger(height) && height > 0) {
      item.image.height = height;
    }
  }
  return item;
}

/** Checks that a value is an absolute http(s) URL and returns it serialised. */
export function absoluteUrl(value: string, what: string): string {
  try {
    const url = new URL(cleanText(value).trim());
    if (url.protocol === "http:" || url.protocol === "https:") return url.href;
  } catch {
    // Reported below with the same message as a non-http URL.
  }
  throw new AppError("PUBLISH_RENDER", `publish: ${what} is not an absolute http(s) URL: ${value}`);
}

function optionalText(value: string | undefined): string | undefined {
  const cleaned = value === undefined ? "" : cleanText(value).trim();
  return cleaned === "" ? undefined : cleaned;
}
