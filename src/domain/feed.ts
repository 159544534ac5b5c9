import type { ArticleImage } from "./article.js";

/** The syndication formats warta reads. */
export type FeedFormat =
  | "rss090"
  | "rss091"
  | "rss092"
  | "rss10"
  | "rss20"
  | "atom03"
  | "atom10"
  | "json10"
  | "json11";

/** One entry of an upstream feed, with URLs resolved and dates parsed. */
export interface FeedEntry {
  /** GUID / atom:id / JSON Feed id, as given. */
  guid?: string;
  /** Absolute link to the article page. */
  url?: string;
  title: string;
  /** Full content, as HTML, if the feed carries it. */
  contentHtml?: string;
  /** Summary or excerpt, as HTML. */
  summaryHtml?: string;
  published?: Date;
  updated?: Date;
  author?: string;
  categories: string[];
  image?: ArticleImage;
  language?: string;
}

/** An upstream feed after parsing. */
export interface ParsedFeed {
  format: FeedFormat;
  title: string;
  /** Home page of the feed's site. */
  link?: string;
  language?: string;
  entries: FeedEntry[];
}

/** Per-source extraction rules on top of the built-in ones. */
export interface ExtractionRules {
  /** CSS selectors of elements to drop before the body is extracted. */
  dropSelectors: string[];
  /** Body lines or paragraphs that match any of these are dropped. */
  dropLines: RegExp[];
}
