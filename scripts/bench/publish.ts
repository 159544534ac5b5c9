/*
 * Publishing speed on a large store: BENCH_ARTICLES articles (default 100,000) in 200
 * categories by 400 authors over about four years, written straight into a fresh store
 * (batched inserts in transactions): an SQLite file, or, when BENCH_STORE is a postgres:// URL,
 * a new schema of that database (bench_<random> unless the URL names one). Times a full publish of every feed, variant, archive page,
 * the OPML file and the index page into an empty public folder; then stores one new article
 * the way the collector does and times the next publish, which must render only the feeds
 * that article is in. Reports both times, the feeds rendered and files written, and the
 * process's peak resident memory (VmHWM). Everything lives in a temporary folder, removed
 * at the end unless BENCH_KEEP is set (a schema the bench made is dropped likewise).
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Insertable } from "kysely";
import pg from "pg";
import { configSchema } from "../../src/config/schema.js";
import { type PublishSummary, publishFeeds } from "../../src/pipeline/publish.js";
import { silentLogger } from "../../src/shared/logger.js";
import {
  AtomicFileWriter,
  type Database,
  openDatabase,
  SqlArticleRepository,
  SqlEditionRepository,
} from "../../src/store/index.js";
import { describeStore, isPostgresUrl } from "../../src/store/spec.js";

const CATEGORIES = 200;
const AUTHORS = 400;
/** One article every 20 minutes: 100,000 articles span about 3.8 years. */
const SPACING_MS = 20 * 60_000;
const START = Date.parse("2021-01-01T00:00:00Z");

const BODY = `<p>${"Harga beras di pasar tradisional naik lagi pekan ini, kata para pedagang. ".repeat(6)}</p>`;

/** Peak resident memory of this process so far, in MB (Linux), else the current RSS. */
function peakMemoryMb(): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
    if (match) return Number(match[1]) / 1024;
  } catch {
    // Not Linux: fall back below.
  }
  return process.memoryUsage().rss / 1024 / 1024;
}

/** Rows per INSERT: well under both engines' limits on bound parameters per statement. */
const INSERT_ROWS = 500;

/** Hands `rows` to `insert` INSERT_ROWS at a time. */
async function inChunks<T>(rows: T[], insert: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_ROWS) await insert(rows.slice(i, i + INSERT_ROWS));
}

/** Fills a new store with `count` articles, bypassing the collector for speed. */
async function generateStore(spec: string, count: number): Promise<void> {
  // Migrations through the store's own code, then batched inserts, 10,000 articles per
  // transaction.
  const db = await openDatabase(spec);
  try {
    await db
      .insertInto("categories")
      .values(
        Array.from({ length: CATEGORIES }, (_, c) => ({
          slug: `kategori-${c}`,
          name: `Kategori ${c}`,
        })),
      )
      .execute();
    for (let from = 0; from < count; from += 10_000) {
      const to = Math.min(count, from + 10_000);
      const articles: Insertable<Database["articles"]>[] = [];
      const sources: Insertable<Database["article_sources"]>[] = [];
      const links: Insertable<Database["article_categories"]>[] = [];
      for (let i = from; i < to; i++) {
        const id = createHash("sha256").update(`bench:${i}`).digest("hex").slice(0, 24);
        const published = new Date(START + i * SPACING_MS).toISOString();
        const seen = new Date(START + i * SPACING_MS + 300_000).toISOString();
        const url = `https://news.example.org/artikel/${i}/`;
        // Half the articles have a lead image, half of those with a known size.
        const image =
          i % 2 === 0
            ? null
            : JSON.stringify({
                url: `https://cdn.example.org/foto/${i}.jpg`,
                ...(i % 4 === 1 ? { length: 40_000 + i } : {}),
              });
        articles.push({
          id,
          source_id: "bench",
          source_key: `artikel-${i}.md`,
          url,
          title: `Judul artikel nomor ${i}`,
          summary: `Ringkasan artikel nomor ${i}.`,
          content_html: BODY.repeat(3),
          content_text: "Harga beras di pasar tradisional naik lagi pekan ini.",
          author: `Penulis ${i % AUTHORS}`,
          language: "id",
          tags: "[]",
          published_at: published,
          updated_at: published,
          image,
          dateline: null,
          credit: null,
          content_hash: `h${i}`,
          first_seen_at: seen,
          changed_at: seen,
          canonical_url: url,
          fingerprint: null,
        });
        sources.push({
          source_id: "bench",
          source_key: `artikel-${i}.md`,
          article_id: id,
          url,
          first_seen_at: seen,
          last_seen_at: seen,
        });
        links.push({ article_id: id, category_slug: `kategori-${i % CATEGORIES}`, position: 0 });
        // A third of the articles are in a second category.
        if (i % 3 === 0) {
          links.push({
            article_id: id,
            category_slug: `kategori-${(i * 7 + 13) % CATEGORIES || 1}`,
            position: 1,
          });
        }
      }
      await db.transaction().execute(async (trx) => {
        await inChunks(articles, (chunk) => trx.insertInto("articles").values(chunk).execute());
        await inChunks(sources, (chunk) =>
          trx.insertInto("article_sources").values(chunk).execute(),
        );
        await inChunks(links, (chunk) =>
          trx.insertInto("article_categories").values(chunk).execute(),
        );
      });
    }
  } finally {
    await db.destroy();
  }
}

/**
 * Where the bench stores: BENCH_STORE's PostgreSQL database (in a new schema unless the URL names
 * one), else an SQLite file in `root`. `drop` removes a schema the bench made.
 */
function benchStore(root: string): { spec: string; drop: () => Promise<void> } {
  const wanted = process.env.BENCH_STORE?.trim();
  if (!wanted) return { spec: path.join(root, "warta.sqlite"), drop: async () => {} };
  if (!isPostgresUrl(wanted)) return { spec: wanted, drop: async () => {} };
  const url = new URL(wanted);
  if (url.searchParams.has("schema")) return { spec: wanted, drop: async () => {} };
  const schema = `bench_${createHash("sha256").update(root).digest("hex").slice(0, 12)}`;
  url.searchParams.set("schema", schema);
  return {
    spec: url.toString(),
    drop: async () => {
      url.searchParams.delete("schema");
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      try {
        await client.query(`drop schema if exists "${schema}" cascade`);
      } finally {
        await client.end();
      }
    },
  };
}

function describe(summary: PublishSummary): string {
  return (
    `${summary.renderedFeeds.length} feeds rendered, ${summary.rendered.length} files rendered, ` +
    `${summary.written.length} written (of ${summary.files.length})`
  );
}

/** Runs the benchmark and prints its figures. */
export async function run(): Promise<void> {
  const count = Number(process.env.BENCH_ARTICLES ?? 100_000);
  if (!Number.isSafeInteger(count) || count < 1)
    throw new Error("bench: BENCH_ARTICLES must be a positive integer");
  const root = mkdtempSync(path.join(tmpdir(), "warta-bench-publish-"));
  const store = benchStore(root);
  try {
    let started = performance.now();
    await generateStore(store.spec, count);
    console.log(
      `store (${describeStore(store.spec)}): ${count} articles, ${CATEGORIES} categories, ${AUTHORS} authors, generated in ` +
        `${((performance.now() - started) / 1000).toFixed(1)} s`,
    );

    const config = configSchema.parse({
      site: { title: "Warta Bench", base_url: "https://news.example.org/", language: "id" },
    });
    const db = await openDatabase(store.spec);
    const articles = new SqlArticleRepository(db);
    const deps = {
      site: config.site,
      feeds: config.feeds,
      articles,
      editions: new SqlEditionRepository(db),
      files: new AtomicFileWriter(path.join(root, "public")),
      logger: silentLogger(),
    };

    started = performance.now();
    const full = await publishFeeds(deps);
    const fullMs = performance.now() - started;
    console.log(`full publish:        ${(fullMs / 1000).toFixed(2)} s; ${describe(full)}`);

    started = performance.now();
    const idle = await publishFeeds(deps);
    const idleMs = performance.now() - started;
    console.log(`publish, no change:  ${(idleMs / 1000).toFixed(2)} s; ${describe(idle)}`);

    // One new article, stored as the collector stores it, in an existing category and author.
    const newest = START + count * SPACING_MS;
    await articles.upsert(
      [
        {
          id: "bench-new-article",
          sourceId: "bench",
          sourceKey: "baru.md",
          url: "https://news.example.org/artikel/baru/",
          title: "Artikel baru",
          summary: "Artikel yang baru masuk.",
          contentHtml: BODY,
          contentText: "Artikel yang baru masuk.",
          author: "Penulis 7",
          categories: [{ slug: "kategori-7", name: "Kategori 7" }],
          tags: [],
          language: "id",
          published: new Date(newest),
          updated: new Date(newest),
          contentHash: "bench-new",
        },
      ],
      new Date(newest + 60_000),
    );
    started = performance.now();
    const one = await publishFeeds(deps);
    const oneMs = performance.now() - started;
    console.log(`publish, +1 article: ${(oneMs / 1000).toFixed(2)} s; ${describe(one)}`);
    console.log(`  feeds rendered: ${one.renderedFeeds.join(", ")}`);
    console.log(`peak memory (VmHWM): ${peakMemoryMb().toFixed(0)} MB`);
    await db.destroy();
  } finally {
    if (process.env.BENCH_KEEP) console.log(`kept ${root} and ${describeStore(store.spec)}`);
    else {
      rmSync(root, { recursive: true, force: true });
      await store.drop();
    }
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  await run();
}
