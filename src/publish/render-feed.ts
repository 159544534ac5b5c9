import type { SiteConfig } from "../config/schema.js";
import type { Article } from "../domain/article.js";
import { renderAtom } from "./atom.js";
import { renderJsonFeed } from "./json-feed.js";
import { buildFeedModel, type FeedSpec } from "./model.js";
import { renderRss } from "./rss.js";

/** The three documents of one feed. */
export interface RenderedFeed {
  rss: string;
  atom: string;
  json: string;
}

/**
 * Renders one feed as RSS 2.0, Atom 1.0 and JSON Feed 1.1, carrying all the given articles
 * newest first; the output depends only on the arguments, never on their order or the clock.
 */
export function renderFeed(spec: FeedSpec, articles: Article[], site: SiteConfig): RenderedFeed {
  const model = buildFeedModel(spec, articles, site);
  return { rss: renderRss(model), atom: renderAtom(model), json: renderJsonFeed(model) };
}
