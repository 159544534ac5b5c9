import type { FeedsConfig, SiteConfig } from "../config/index.js";
import type { Article } from "../domain/article.js";
import type { ArticleRepository, FileWriter } from "../domain/ports.js";
import { renderFeedSet } from "../publish/index.js";
import type { Logger } from "../shared/logger.js";

/** What one publish run did. */
export interface PublishSummary {
  /** Every feed file, relative to the public folder. */
  files: string[];
  /** The files whose bytes changed in this run. */
  changed: string[];
  articles: number;
  folder: string;
}

/**
 * Renders the site-wide and per-category feeds from the store and writes them into the
 * public folder. A feed whose bytes did not change is not rewritten, so its modification
 * time, and any cache validator derived from it, stays the same.
 */
export async function publishFeeds(deps: {
  site: SiteConfig;
  feeds: FeedsConfig;
  articles: ArticleRepository;
  files: FileWriter;
  logger: Logger;
}): Promise<PublishSummary> {
  const log = deps.logger.child({ component: "publish" });
  const categories = deps.feeds.per_category ? await deps.articles.categories() : [];
  const byId = new Map<string, Article>();
  for (const article of await deps.articles.latest(deps.feeds.items)) byId.set(article.id, article);
  for (const category of categories) {
    for (const article of await deps.articles.latest(deps.feeds.items, category.slug)) {
      byId.set(article.id, article);
    }
  }
  const rendered = renderFeedSet({
    site: deps.site,
    feeds: deps.feeds,
    articles: [...byId.values()],
    categories,
  });
  const summary: PublishSummary = {
    files: [],
    changed: [],
    articles: byId.size,
    folder: deps.files.root,
  };
  for (const file of rendered) {
    summary.files.push(file.path);
    if (await deps.files.write(file.path, file.body)) summary.changed.push(file.path);
  }
  log.info({ files: summary.files.length, changed: summary.changed.length }, "feeds published");
  return summary;
}
