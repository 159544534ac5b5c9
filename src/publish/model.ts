import type { SiteConfig } from "../config/schema.js";
import type { Article, Category } from "../domain/article.js";
import { AppError } from "../shared/errors.js";
import { cleanText, imageType, tagUri } from "./text.js";

/** What one feed (in its three formats) is about. */
export interface FeedSpec {
  /** Folder of the feed files, relative to the public folder: "feeds", "feeds/category/ekonomi". */
  dir: string;
  title: string;
  description: string;
  /** Absolute URL of the HTML page the feed stands for. */
  homePage: string;
  /** Update time written when the feed has no articles; defaults to the Unix epoch. */
  emptyUpdated?: Date;
}

/** File names of the three formats inside a feed folder. */
export const FEED_FILES = { rss: "rss.xml", atom: "atom.xml", json: "feed.json" } as const;

export type FeedFormat = keyof typeof FEED_FILES;

/** An article's image, ready to be an enclosure. */
export interface ImageModel {
  url: string;
  type: string;
  /** Bytes; undefined when unknown (never 0). */
  length?: number;
  alt?: string;
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

/** One feed with cleaned text, absolute self URLs and a data-derived update time. */
export interface FeedModel {
  title: string;
  description: string;
  homePage: string;
  language: string;
  selfUrls: Record<FeedFormat, string>;
  updated: Date;
  author?: string;
  copyright?: string;
  items: ItemModel[];
}

/** Orders articles newest first by publication time, then by id, independently of input order. */
export function sortArticles(articles: readonly Article[]): Article[] {
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
  articles: readonly Article[],
  site: SiteConfig,
): FeedModel {
  const host = siteBase(site).hostname;
  const items = sortArticles(articles).map((article) => buildItem(article, host));
  const newest = items.reduce((max, item) => Math.max(max, item.updated.getTime()), -Infinity);
  return {
    title: cleanText(spec.title),
    description: cleanText(spec.description),
    homePage: absoluteUrl(spec.homePage, "the feed's home page"),
    language: site.language,
    selfUrls: {
      rss: publicUrl(site, `${spec.dir}/${FEED_FILES.rss}`),
      atom: publicUrl(site, `${spec.dir}/${FEED_FILES.atom}`),
      json: publicUrl(site, `${spec.dir}/${FEED_FILES.json}`),
    },
    // Derived from the data, never from the clock, so the same articles give the same bytes.
    updated: items.length > 0 ? new Date(newest) : (spec.emptyUpdated ?? new Date(0)),
    author: optionalText(site.author),
    copyright: optionalText(site.copyright),
    items,
  };
}

function buildItem(article: Article, host: string): ItemModel {
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
    contentHtml: cleanText(article.contentHtml),
    contentText: cleanText(article.contentText),
    author: optionalText(article.author),
    categories: article.categories.map((c) => ({
      slug: cleanText(c.slug),
      name: cleanText(c.name),
    })),
    language: article.language,
    published: article.published,
    updated: article.updated,
  };
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
  }
  return item;
}

function absoluteUrl(value: string, what: string): string {
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
