import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import type { FeedsConfig, SiteConfig } from "../config/index.js";
import type { Article } from "../domain/article.js";
import type { ArticleRepository, EditionRepository, FileWriter } from "../domain/ports.js";
import {
  type ArticleStamp,
  catalogSignature,
  editionArticle,
  editionPagePath,
  type FeedFile,
  feedSignature,
  INDEX_PATH,
  OPML_PATH,
  type PlannedFeed,
  planPublication,
  RENDER_VERSION,
  renderEditionPage,
  renderIndexPage,
  renderOpml,
  renderPlannedFeed,
} from "../publish/index.js";
import type { Logger } from "../shared/logger.js";

/** What one publish run did. */
export interface PublishSummary {
  /** Every file of the publication (feeds, archives, edition pages, OPML, index), relative to the public folder. */
  files: string[];
  /** The files whose bytes changed in this run (the same as `written`). */
  changed: string[];
  /** The files rendered in this run: those of the feeds whose inputs changed since the last run. */
  rendered: string[];
  /** The rendered files whose bytes differed from those on disk, and were written. */
  written: string[];
  /** Keys of the feeds rendered ("site", "category/ekonomi", "archive/2024-03", "catalog", "newsletter/3"). */
  renderedFeeds: string[];
  /** Keys of the rendered feeds of which at least one file was written. */
  writtenFeeds: string[];
  /** Articles in the store. */
  articles: number;
  folder: string;
}

/**
 * The signatures each feed of this public folder was last written from, kept in the folder
 * itself: machines that share a store each publish into their own folder, and each must know
 * what its own files hold. A dot-name, so the server never serves it.
 */
export const MANIFEST_PATH = ".warta-published.json";

/** Keys of the manifest that are not feeds. */
const CATALOG_KEY = "catalog";
const editionPageKey = (id: number) => `newsletter/${id}`;

/** Feeds whose files are being written while the next ones render. */
const WRITES_IN_FLIGHT = 8;
/** Articles read at once: well below SQLite's limit on bound parameters. */
const LOAD_BATCH = 500;
/** Articles kept in memory between feeds of one run (a category's and its author's overlap). */
const CACHE_LIMIT = 5_000;

/**
 * Writes every feed of the publication from the store: site-wide, per category, per author and
 * newsletter feeds (full text and summaries), monthly RFC 5005 archives, edition pages, the
 * OPML file and the index page. It is incremental twice over: a feed whose inputs (the
 * versions of its articles, its settings, its links) have the signature recorded when it was
 * last published, and whose files are all there, is not even rendered; and a rendered file
 * whose bytes did not change is not rewritten, so its modification time, and any cache
 * validator derived from it, stays the same.
 */
export async function publishFeeds(deps: {
  site: SiteConfig;
  feeds: FeedsConfig;
  articles: ArticleRepository;
  /** Needed for the editions feed and pages; without it they are not published. */
  editions?: EditionRepository;
  files: FileWriter;
  logger: Logger;
  /** Render every feed, as if none had been published (files still change only if their bytes do). */
  force?: boolean;
}): Promise<PublishSummary> {
  const log = deps.logger.child({ component: "publish" });
  const { site, feeds } = deps;
  const stamps = await deps.articles.feedStamps();
  const categories = await deps.articles.categories();
  const editionIds =
    feeds.editions && deps.editions !== undefined ? await deps.editions.ids() : undefined;
  const plan = planPublication({ site, feeds, stamps, categories, editionIds });
  const recorded = await readManifest(deps.files.root, log);
  const previous = deps.force ? new Map<string, string>() : recorded;
  const published = new Map<string, string>();
  const stampsById = new Map<string, ArticleStamp>(stamps.map((stamp) => [stamp.id, stamp]));
  const categoryNames = new Map(categories.map((category) => [category.slug, category.name]));
  const loader = new ArticleLoader(deps.articles);
  const summary: PublishSummary = {
    files: [],
    changed: [],
    rendered: [],
    written: [],
    renderedFeeds: [],
    writtenFeeds: [],
    articles: stamps.length,
    folder: deps.files.root,
  };

  // Files are written while the next feeds render (a few at a time): most of a full publish
  // would otherwise wait on the disk.
  const writes = new WriteQueue(WRITES_IN_FLIGHT);
  /** Writes what a feed rendered and remembers its signature once every file is written. */
  const publish = async (key: string, signature: string, files: FeedFile[]) => {
    summary.renderedFeeds.push(key);
    summary.rendered.push(...files.map((file) => file.path));
    await writes.add(async () => {
      let wrote = false;
      for (const file of files) {
        if (await deps.files.write(file.path, file.body)) {
          summary.written.push(file.path);
          wrote = true;
        }
      }
      if (wrote) summary.writtenFeeds.push(key);
      published.set(key, signature);
    });
    // Rendering and the store are synchronous: let the writes' callbacks run in between.
    await new Promise((resolve) => setImmediate(resolve));
  };
  const unchanged = async (key: string, signature: string, paths: string[]) =>
    previous.get(key) === signature && (await allExist(deps.files.root, paths));

  for (const feed of [...plan.feeds, ...plan.archives]) {
    const paths = feed.documents.map((document) => document.path);
    summary.files.push(...paths);
    const signature = feedSignature(feed, site, stampsById, categoryNames);
    if (await unchanged(feed.key, signature, paths)) continue;
    const items = await feedItems(feed, deps, loader);
    await publish(feed.key, signature, renderPlannedFeed(feed, items, site));
    log.debug({ feed: feed.key, items: items.length }, "feed rendered");
  }

  if (editionIds !== undefined && deps.editions !== undefined) {
    for (const id of editionIds) {
      const page = editionPagePath(id);
      summary.files.push(page);
      // Editions never change once stored: a page is written once, or again if it went missing.
      if (await unchanged(editionPageKey(id), RENDER_VERSION, [page])) continue;
      const edition = await deps.editions.byId(id);
      if (edition) await publish(editionPageKey(id), RENDER_VERSION, [renderEditionPage(edition)]);
    }
  }

  summary.files.push(OPML_PATH, INDEX_PATH);
  const catalog = catalogSignature(plan, site);
  if (!(await unchanged(CATALOG_KEY, catalog, [OPML_PATH, INDEX_PATH]))) {
    await publish(CATALOG_KEY, catalog, [renderOpml(plan, site), renderIndexPage(plan, site)]);
  }

  await writes.drain();
  if (published.size > 0) {
    for (const [key, signature] of published) recorded.set(key, signature);
    const entries = [...recorded].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    await deps.files.write(MANIFEST_PATH, `${JSON.stringify(Object.fromEntries(entries))}\n`);
  }
  summary.written.sort();
  summary.writtenFeeds.sort();
  summary.changed = [...summary.written];
  log.info(
    {
      files: summary.files.length,
      feeds: plan.feeds.length + plan.archives.length,
      rendered: summary.rendered.length,
      written: summary.written.length,
    },
    "feeds published",
  );
  return summary;
}

async function feedItems(
  feed: PlannedFeed,
  deps: { site: SiteConfig; feeds: FeedsConfig; editions?: EditionRepository },
  loader: ArticleLoader,
) {
  if (feed.kind !== "editions") return loader.load(feed.articleIds);
  const wanted = new Set(feed.editionIds);
  const editions = deps.editions ? await deps.editions.newest(deps.feeds.items) : [];
  // An edition stored since the plan was made waits for the next run, like its signature.
  return editions
    .filter((edition) => wanted.has(edition.id))
    .map((edition) => editionArticle(edition, deps.site));
}

/** The manifest of the public folder; empty when missing or unreadable (all is rendered again). */
async function readManifest(root: string, log: Logger): Promise<Map<string, string>> {
  let text: string;
  try {
    text = await readFile(path.join(root, MANIFEST_PATH), "utf8");
  } catch {
    return new Map();
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) {
      return new Map(
        Object.entries(parsed).filter(
          (entry): entry is [string, string] => typeof entry[1] === "string",
        ),
      );
    }
  } catch {
    // Rewritten below once the feeds are published.
  }
  log.warn({ file: MANIFEST_PATH }, "publish manifest unreadable: every feed is rendered again");
  return new Map();
}

/** Tells whether every file is in the public folder (a missing one is rendered again). */
async function allExist(root: string, paths: string[]): Promise<boolean> {
  for (const relative of paths) {
    try {
      await stat(path.join(root, relative));
    } catch {
      return false;
    }
  }
  return true;
}

/**
 * Reads articles by id in batches, keeping the last few thousand: a run renders an article in
 * the site feed, its categories', its author's and its month's, and should read it once.
 */
class ArticleLoader {
  readonly #cache = new Map<string, Article>();

  constructor(private readonly articles: ArticleRepository) {}

  /** The articles with these ids that still exist, in the order given. */
  async load(ids: readonly string[]): Promise<Article[]> {
    const missing = ids.filter((id) => !this.#cache.has(id));
    const found = new Map<string, Article>();
    for (const id of ids) {
      const cached = this.#cache.get(id);
      if (cached) found.set(id, cached);
    }
    for (let i = 0; i < missing.length; i += LOAD_BATCH) {
      for (const article of await this.articles.byIds(missing.slice(i, i + LOAD_BATCH))) {
        found.set(article.id, article);
      }
    }
    if (this.#cache.size + missing.length > CACHE_LIMIT) this.#cache.clear();
    if (missing.length <= CACHE_LIMIT) {
      for (const id of missing) {
        const article = found.get(id);
        if (article) this.#cache.set(id, article);
      }
    }
    return ids.flatMap((id) => found.get(id) ?? []);
  }
}

/** Runs tasks with at most `limit` at once; the first failure is thrown by add() or drain(). */
class WriteQueue {
  readonly #running = new Set<Promise<void>>();
  #failure: { error: unknown } | undefined;

  constructor(private readonly limit: number) {}

  /** Starts the task, first waiting for a free place. */
  async add(task: () => Promise<void>): Promise<void> {
    while (this.#running.size >= this.limit) await Promise.race(this.#running);
    this.#throwIfFailed();
    const running: Promise<void> = task()
      .catch((error: unknown) => {
        this.#failure ??= { error };
      })
      .finally(() => this.#running.delete(running));
    this.#running.add(running);
  }

  /** Waits for every task; throws the first failure. */
  async drain(): Promise<void> {
    await Promise.all(this.#running);
    this.#throwIfFailed();
  }

  #throwIfFailed(): void {
    if (this.#failure) throw this.#failure.error;
  }
}
