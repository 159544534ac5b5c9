import type { FeedsConfig, SiteConfig } from "../config/schema.js";
import type { Article, Category } from "../domain/article.js";
import { AppError } from "../shared/errors.js";
import { FEED_FILES, type FeedSpec, siteBase, sortArticles } from "./model.js";
import { renderFeed } from "./render-feed.js";

/** A rendered feed document and where it goes. */
export interface FeedFile {
  /** Path relative to the public folder, e.g. "feeds/rss.xml", "feeds/category/ekonomi/atom.xml". */
  path: string;
  contentType: string;
  body: string;
}

/** Everything the feeds are made from. */
export interface FeedSetInput {
  site: SiteConfig;
  feeds: FeedsConfig;
  /** Candidate articles in any order; each feed takes the newest `feeds.items` of its scope. */
  articles: Article[];
  /** Categories that get their own feeds (when `feeds.per_category`). */
  categories: Category[];
}

const CONTENT_TYPES = {
  rss: "application/rss+xml; charset=utf-8",
  atom: "application/atom+xml; charset=utf-8",
  json: "application/feed+json; charset=utf-8",
} as const;

const SITE_DIR = "feeds";
const SAFE_SLUG = /^[a-z0-9][a-z0-9_-]*$/;

/** Renders the site-wide RSS 2.0, Atom 1.0 and JSON Feed 1.1 and the same three per category. */
export function renderFeedSet(input: FeedSetInput): FeedFile[] {
  const { site, feeds } = input;
  const articles = sortArticles(input.articles);
  const homePage = siteBase(site).href;
  // An empty feed still needs an update time: take the newest edit among all the articles,
  // which is data, not the clock.
  const emptyUpdated = new Date(
    articles.reduce((newest, article) => Math.max(newest, article.updated.getTime()), 0),
  );

  const files = feedFiles(
    {
      dir: SITE_DIR,
      title: site.title,
      description: site.description || site.title,
      homePage,
      emptyUpdated,
    },
    articles.slice(0, feeds.items),
    site,
  );
  if (!feeds.per_category) return files;

  for (const category of uniqueCategories(input.categories)) {
    const title = `${site.title}: ${category.name}`;
    const inCategory = articles.filter((article) =>
      article.categories.some((c) => c.slug === category.slug),
    );
    const spec: FeedSpec = {
      dir: `${SITE_DIR}/category/${category.slug}`,
      title,
      description: site.description || title,
      homePage,
      emptyUpdated,
    };
    files.push(...feedFiles(spec, inCategory.slice(0, feeds.items), site));
  }
  return files;
}

function feedFiles(spec: FeedSpec, articles: Article[], site: SiteConfig): FeedFile[] {
  const rendered = renderFeed(spec, articles, site);
  return (["rss", "atom", "json"] as const).map((format) => ({
    path: `${spec.dir}/${FEED_FILES[format]}`,
    contentType: CONTENT_TYPES[format],
    body: rendered[format],
  }));
}

/** One category per slug, ordered by slug, with slugs safe as a path segment. */
function uniqueCategories(categories: readonly Category[]): Category[] {
  const bySlug = new Map<string, Category>();
  for (const category of categories) {
    if (!SAFE_SLUG.test(category.slug)) {
      throw new AppError(
        "PUBLISH_RENDER",
        `publish: category slug "${category.slug}" is not URL-safe`,
      );
    }
    // Two names for one slug: keep the smallest, so the input order does not matter.
    const known = bySlug.get(category.slug);
    if (known === undefined || category.name < known.name) bySlug.set(category.slug, category);
  }
  return [...bySlug.values()].sort((a, b) => (a.slug < b.slug ? -1 : a.slug > b.slug ? 1 : 0));
}
