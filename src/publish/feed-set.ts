import type { FeedsConfig, SiteConfig } from "../config/schema.js";
import type { Article, Category } from "../domain/article.js";
import type { Edition } from "../domain/digest.js";
import { renderIndexPage, renderOpml } from "./catalog.js";
import { editionArticle, renderEditionPage } from "./editions.js";
import { type FeedArticle, sortArticles } from "./model.js";
import { type ArticleStamp, planPublication } from "./plan.js";
import { type FeedFile, renderPlannedFeed } from "./render-feed.js";

export type { FeedFile } from "./render-feed.js";

/** Everything a whole publication is made from, held in memory. */
export interface FeedSetInput {
  site: SiteConfig;
  feeds: FeedsConfig;
  /** Every article, in any order; each feed takes the newest `feeds.items` of its scope. */
  articles: Article[];
  /** Display names of categories, besides those the articles carry. */
  categories?: Category[];
  /** The newsletter editions, in any order. */
  editions?: Edition[];
}

/** The stamp of an article held in memory, as the store would report it. */
export function stampOf(article: Article): ArticleStamp {
  const stamp: ArticleStamp = {
    id: article.id,
    published: article.published,
    categories: article.categories.map((category) => category.slug),
    version: article.contentHash,
  };
  if (article.author !== undefined) stamp.author = article.author;
  return stamp;
}

/**
 * Renders the whole publication from articles in memory: every feed and variant, the monthly
 * archives, the editions feed and pages, the OPML file and the index page. The pipeline renders
 * the same documents from the store, feed by feed, and only those whose inputs changed.
 */
export function renderFeedSet(input: FeedSetInput): FeedFile[] {
  const { site, feeds } = input;
  const articles = sortArticles(input.articles);
  const editions = [...(input.editions ?? [])].sort((a, b) => b.id - a.id);
  const plan = planPublication({
    site,
    feeds,
    stamps: articles.map(stampOf),
    categories: [...(input.categories ?? []), ...articles.flatMap((a) => a.categories)],
    editionIds: input.editions === undefined ? undefined : editions.map((e) => e.id),
  });
  const byId = new Map(articles.map((article) => [article.id, article]));
  const files: FeedFile[] = [];
  for (const feed of [...plan.feeds, ...plan.archives]) {
    const items: FeedArticle[] =
      feed.kind === "editions"
        ? editions
            .filter((edition) => feed.editionIds.includes(edition.id))
            .map((edition) => editionArticle(edition, site))
        : feed.articleIds.flatMap((id) => byId.get(id) ?? []);
    files.push(...renderPlannedFeed(feed, items, site));
  }
  if (feeds.editions) files.push(...editions.map(renderEditionPage));
  files.push(renderOpml(plan, site), renderIndexPage(plan, site));
  return files;
}
