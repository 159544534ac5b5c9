import type { SiteConfig } from "../config/schema.js";
import type { Article } from "../domain/article.js";
import { renderAtom } from "./atom.js";
import { renderJsonFeed } from "./json-feed.js";
import {
  buildFeedModel,
  FEED_CONTENT_TYPES,
  type FeedArticle,
  type FeedFormat,
  type FeedModel,
  type FeedSpec,
  feedPath,
  specFormats,
} from "./model.js";
import type { PlannedFeed } from "./plan.js";
import { renderRss } from "./rss.js";

/** A rendered document and where it goes. */
export interface FeedFile {
  /** Path relative to the public folder, e.g. "feeds/rss.xml", "feeds/category/ekonomi/atom.xml". */
  path: string;
  contentType: string;
  body: string;
}

/** The three documents of one feed. */
export interface RenderedFeed {
  rss: string;
  atom: string;
  json: string;
}

const RENDERERS: Readonly<Record<FeedFormat, (model: FeedModel) => string>> = {
  rss: renderRss,
  atom: renderAtom,
  json: renderJsonFeed,
};

/**
 * Renders one feed as RSS 2.0, Atom 1.0 and JSON Feed 1.1, carrying all the given articles
 * newest first; the output depends only on the arguments, never on their order or the clock.
 */
export function renderFeed(spec: FeedSpec, articles: Article[], site: SiteConfig): RenderedFeed {
  const model = buildFeedModel(spec, articles, site);
  return { rss: renderRss(model), atom: renderAtom(model), json: renderJsonFeed(model) };
}

/** Renders the documents a spec asks for (all three formats unless it names some), with their paths. */
export function renderFeedDocuments(
  spec: FeedSpec,
  articles: readonly FeedArticle[],
  site: SiteConfig,
): FeedFile[] {
  const model = buildFeedModel(spec, articles, site);
  return specFormats(spec).map((format) => ({
    path: feedPath(spec, format),
    contentType: FEED_CONTENT_TYPES[format],
    body: RENDERERS[format](model),
  }));
}

/** Renders every document of a planned feed (each variant, each format) from its articles. */
export function renderPlannedFeed(
  feed: PlannedFeed,
  articles: readonly FeedArticle[],
  site: SiteConfig,
): FeedFile[] {
  return feed.specs.flatMap((spec) => renderFeedDocuments(spec, articles, site));
}
