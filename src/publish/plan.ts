import type { FeedsConfig, SiteConfig } from "../config/schema.js";
import type { Category } from "../domain/article.js";
import { AppError } from "../shared/errors.js";
import { sha256Hex } from "../shared/hash.js";
import { labelsFor } from "./labels.js";
import {
  FEED_CONTENT_TYPES,
  type FeedFormat,
  type FeedSpec,
  type FeedVariant,
  feedPath,
  siteBase,
  specFormats,
} from "./model.js";
import { MonthFinder, monthLabel } from "./months.js";

/**
 * Version of what the renderers write. A feed is rendered again only when the signature of its
 * inputs changes, so any change to the renderers' output must bump this, or feeds already
 * published keep their old form until their articles change.
 */
export const RENDER_VERSION = "warta-feeds-1";

/** An article's place in the feeds, as the store reports it without the body. */
export interface ArticleStamp {
  id: string;
  published: Date;
  author?: string;
  /** Category slugs. */
  categories: string[];
  /** Changes whenever the stored article changes. */
  version: string;
}

/** What a feed is about: the whole site, a category, an author, the newsletter, or a month. */
export type FeedKind = "site" | "category" | "author" | "editions" | "archive";

/** One document of the publication. */
export interface PlannedDocument {
  /** Relative to the public folder: "feeds/rss.xml", "feeds/archive/2024-03.xml". */
  path: string;
  format: FeedFormat;
  variant: FeedVariant;
  contentType: string;
}

/** One feed in all its variants and formats, or one monthly archive page of the site feed. */
export interface PlannedFeed {
  /** Stable key of the feed: "site", "category/ekonomi", "author/siti-rahma", "archive/2024-03". */
  key: string;
  kind: FeedKind;
  /** What the feed is about: a category or author name, a month ("Maret 2024"), the site title. */
  name: string;
  /** The title of its full-text documents. */
  title: string;
  /** One spec per variant. */
  specs: FeedSpec[];
  documents: PlannedDocument[];
  /** The articles it carries (by id, newest first); empty for the editions feed. */
  articleIds: string[];
  /** The editions it carries, newest first (the editions feed only). */
  editionIds: number[];
}

/** Every feed and archive page the publication is made of, in a stable order. */
export interface PublicationPlan {
  /** The feeds to subscribe to: site-wide, per category, per author, editions. */
  feeds: PlannedFeed[];
  /** Monthly archive pages of the site-wide feed, oldest first. */
  archives: PlannedFeed[];
}

/** What a publication is planned from. */
export interface PlanInput {
  site: SiteConfig;
  feeds: FeedsConfig;
  /** Every article, newest first (publication time, then id). */
  stamps: readonly ArticleStamp[];
  /** Display names of the categories, by slug. */
  categories: readonly Category[];
  /** Every edition's id, newest first; leave out when editions are not published. */
  editionIds?: readonly number[];
}

const SAFE_SLUG = /^[a-z0-9][a-z0-9_-]*$/;
const SITE_DIR = "feeds";
const ARCHIVE_DIR = `${SITE_DIR}/archive`;

/** The folder, and title, of a variant: summaries go in a summary/ sub-folder. */
function variantDir(dir: string, variant: FeedVariant): string {
  return variant === "full" ? dir : `${dir}/summary`;
}

/** Path of the site-wide archive page of a month, in RSS or Atom. */
export function archivePath(month: string, format: "rss" | "atom"): string {
  return format === "atom" ? `${ARCHIVE_DIR}/${month}.xml` : `${ARCHIVE_DIR}/rss/${month}.xml`;
}

/** Path of the web version of a newsletter edition. */
export function editionPagePath(id: number): string {
  return `newsletter/${id}/index.html`;
}

/**
 * Turns an author's name into a URL slug; names with no Latin letters or digits get a slug
 * made from a hash of the name, so that every author keeps a feed of their own.
 * @example authorSlug("Siti Rahma") // "siti-rahma"
 */
export function authorSlug(name: string): string {
  const slug = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 80)
    .replace(/-+$/, "");
  return slug === "" ? `a-${sha256Hex(name.trim()).slice(0, 12)}` : slug;
}

/** Orders strings by UTF-16 code units, independently of the locale. */
function byCode(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Plans the publication: which feeds exist, what each carries and how they link, from the
 * stamps of the articles alone (no article body is needed to know what changed).
 */
export function planPublication(input: PlanInput): PublicationPlan {
  const { site, feeds } = input;
  const labels = labelsFor(site.language);
  const homePage = siteBase(site).href;
  const limit = feeds.items;
  const variants: FeedVariant[] = feeds.summary_variants ? ["full", "summary"] : ["full"];
  const hub = feeds.websub_hub;

  // One pass, newest first: the newest `limit` of each scope and every article of each month.
  const site_: string[] = [];
  const byCategory = new Map<string, string[]>();
  const byAuthor = new Map<string, { names: Set<string>; ids: string[] }>();
  const byMonth = new Map<string, string[]>();
  const months = new MonthFinder(site.timezone);
  for (const stamp of input.stamps) {
    if (site_.length < limit) site_.push(stamp.id);
    if (feeds.per_category) {
      for (const slug of stamp.categories) {
        const ids = byCategory.get(slug) ?? [];
        if (ids.length < limit) ids.push(stamp.id);
        byCategory.set(slug, ids);
      }
    }
    const author = stamp.author?.trim();
    if (feeds.per_author && author) {
      const slug = authorSlug(author);
      const entry = byAuthor.get(slug) ?? { names: new Set<string>(), ids: [] };
      entry.names.add(author);
      if (entry.ids.length < limit) entry.ids.push(stamp.id);
      byAuthor.set(slug, entry);
    }
    if (feeds.archives) {
      const month = months.monthOf(stamp.published);
      const ids = byMonth.get(month) ?? [];
      ids.push(stamp.id);
      byMonth.set(month, ids);
    }
  }
  const monthKeys = [...byMonth.keys()].sort(byCode);
  const newestMonth = monthKeys.at(-1);

  const feedOf = (
    key: string,
    kind: FeedKind,
    name: string,
    title: string,
    dir: string,
    articleIds: string[],
    extra: Partial<FeedSpec> = {},
    feedVariants: FeedVariant[] = variants,
  ): PlannedFeed => {
    const specs = feedVariants.map(
      (variant): FeedSpec => ({
        dir: variantDir(dir, variant),
        title: variant === "full" ? title : `${title} (${labels.summaries})`,
        description: site.description || title,
        homePage,
        variant,
        ...(hub === undefined ? {} : { hub }),
        ...(variant === "full" ? extra : {}),
      }),
    );
    return {
      key,
      kind,
      name,
      title,
      specs,
      documents: documentsOf(specs),
      articleIds,
      editionIds: [],
    };
  };

  const planned: PlannedFeed[] = [
    feedOf(
      "site",
      "site",
      site.title,
      site.title,
      SITE_DIR,
      site_,
      newestMonth === undefined
        ? {}
        : {
            history: {
              prevArchive: {
                rss: archivePath(newestMonth, "rss"),
                atom: archivePath(newestMonth, "atom"),
              },
            },
          },
    ),
  ];

  const names = new Map<string, string>();
  for (const category of input.categories) {
    // Two names for one slug: keep the smallest, so the input order does not matter.
    const known = names.get(category.slug);
    if (known === undefined || category.name < known) names.set(category.slug, category.name);
  }
  for (const slug of [...byCategory.keys()].sort(byCode)) {
    if (!SAFE_SLUG.test(slug)) {
      throw new AppError("PUBLISH_RENDER", `publish: category slug "${slug}" is not URL-safe`);
    }
    const name = names.get(slug) ?? slug;
    planned.push(
      feedOf(
        `category/${slug}`,
        "category",
        name,
        `${site.title}: ${name}`,
        `${SITE_DIR}/category/${slug}`,
        byCategory.get(slug) ?? [],
      ),
    );
  }

  for (const slug of [...byAuthor.keys()].sort(byCode)) {
    const entry = byAuthor.get(slug);
    if (entry === undefined) continue;
    // One feed for the spellings of a name that share a slug, titled by the smallest.
    const name = [...entry.names].sort(byCode)[0] ?? slug;
    planned.push(
      feedOf(
        `author/${slug}`,
        "author",
        name,
        `${site.title}: ${name}`,
        `${SITE_DIR}/author/${slug}`,
        entry.ids,
      ),
    );
  }

  // The editions feed appears with the first edition: an empty feed would need a made-up date.
  if (feeds.editions && input.editionIds !== undefined && input.editionIds.length > 0) {
    const title = `${site.title}: ${labels.editions}`;
    const editions = feedOf(
      "editions",
      "editions",
      labels.groups.editions,
      title,
      `${SITE_DIR}/editions`,
      [],
      {},
      ["full"],
    );
    editions.editionIds = input.editionIds.slice(0, limit);
    planned.push(editions);
  }

  const archives = monthKeys.map((month, index) => {
    const label = monthLabel(month, site.language);
    const title = `${site.title} (${label})`;
    const prev = monthKeys[index - 1];
    const next = monthKeys[index + 1];
    const spec: FeedSpec = {
      dir: ARCHIVE_DIR,
      files: { atom: `${month}.xml`, rss: `rss/${month}.xml` },
      formats: ["rss", "atom"],
      title,
      description: site.description || title,
      homePage,
      variant: "full",
      // The pages of one logical feed share its id (RFC 5005), that of the site-wide feed.
      atomIdPath: `${SITE_DIR}/atom.xml`,
      history: {
        archive: true,
        current: { rss: `${SITE_DIR}/rss.xml`, atom: `${SITE_DIR}/atom.xml` },
        ...(prev === undefined
          ? {}
          : { prevArchive: { rss: archivePath(prev, "rss"), atom: archivePath(prev, "atom") } }),
        ...(next === undefined
          ? {}
          : { nextArchive: { rss: archivePath(next, "rss"), atom: archivePath(next, "atom") } }),
      },
    };
    const feed: PlannedFeed = {
      key: `archive/${month}`,
      kind: "archive",
      name: label,
      title,
      specs: [spec],
      documents: documentsOf([spec]),
      articleIds: byMonth.get(month) ?? [],
      editionIds: [],
    };
    return feed;
  });
  return { feeds: planned, archives };
}

function documentsOf(specs: readonly FeedSpec[]): PlannedDocument[] {
  return specs.flatMap((spec) =>
    specFormats(spec).map((format) => ({
      path: feedPath(spec, format),
      format,
      variant: spec.variant ?? "full",
      contentType: FEED_CONTENT_TYPES[format],
    })),
  );
}

/**
 * A digest of everything a planned feed's documents are rendered from: the site settings, its
 * specs, and the version of each of its articles with the names of their categories. Equal
 * signatures mean byte-identical documents, so an unchanged feed need not be rendered.
 */
export function feedSignature(
  feed: PlannedFeed,
  site: SiteConfig,
  stamps: ReadonlyMap<string, ArticleStamp>,
  categoryNames: ReadonlyMap<string, string>,
): string {
  const items = feed.articleIds.map((id) => {
    const stamp = stamps.get(id);
    if (stamp === undefined) return [id];
    return [id, stamp.version, ...stamp.categories.map((slug) => categoryNames.get(slug) ?? slug)];
  });
  return sha256Hex(
    JSON.stringify([RENDER_VERSION, site, feed.key, feed.specs, items, feed.editionIds]),
  );
}

/** A digest of the list of feeds, which is all the OPML file and the index page show. */
export function catalogSignature(plan: PublicationPlan, site: SiteConfig): string {
  const list = (feeds: PlannedFeed[]) =>
    feeds.map((feed) => [feed.key, feed.name, feed.title, feed.documents.map((d) => d.path)]);
  return sha256Hex(JSON.stringify([RENDER_VERSION, site, list(plan.feeds), list(plan.archives)]));
}
