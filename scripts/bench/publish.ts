/*
 * Publishing speed on a large store: BENCH_ARTICLES articles (default 100,000) in 200
 * categories by 400 authors over about four years, written straight into a fresh SQLite file
 * (batched inserts in transactions). Times a full publish of every feed, variant, archive page,
 * the OPML file and the index page into an empty public folder; then stores one new article
 * the way the collector does and times the next publish, which must render only the feeds
 * that article is in. Reports both times, the feeds rendered and files written, and the
 * process's peak resident memory (VmHWM). Everything lives in a temporary folder, removed
 * at the end unless BENCH_KEEP is set.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import SQLite from "better-sqlite3";
import { configSchema } from "../../src/config/schema.js";
import { type PublishSummary, publishFeeds } from "../../src/pipeline/publish.js";
import { silentLogger } from "../../src/shared/logger.js";
import {
  AtomicFileWriter,
  openDatabase,
  SqlArticleRepository,
  SqlEditionRepository,
} from "../../src/store/index.js";

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

/** Fills a new store with `count` articles, bypassing the collector for speed. */
async function generateStore(file: string, count: number): Promise<void> {
  // Migrations first, through the store's own code; then raw batched inserts.
  const db = await openDatabase(file);
  await db.destroy();
  const sqlite = new SQLite(file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = OFF");
  const insertArticle = sqlite.prepare(
    `insert into articles (id, source_id, source_key, url, title, summary, content_html,
       content_text, author, language, tags, published_at, updated_at, image, dateline, credit,
       content_hash, first_seen_at, changed_at, canonical_url, fingerprint)
     values (?, 'bench', ?, ?, ?, ?, ?, ?, ?, 'id', '[]', ?, ?, ?, null, null, ?, ?, ?, ?, null)`,
  );
  const insertSource = sqlite.prepare(
    `insert into article_sources (source_id, source_key, article_id, url, first_seen_at, last_seen_at)
     values ('bench', ?, ?, ?, ?, ?)`,
  );
  const insertLink = sqlite.prepare(
    "insert into article_categories (article_id, category_slug, position) values (?, ?, ?)",
  );
  const insertCategory = sqlite.prepare("insert into categories (slug, name) values (?, ?)");
  sqlite.transaction(() => {
    for (let c = 0; c < CATEGORIES; c++) insertCategory.run(`kategori-${c}`, `Kategori ${c}`);
  })();
  const batch = sqlite.transaction((from: number, to: number) => {
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
      insertArticle.run(
        id,
        `artikel-${i}.md`,
        url,
        `Judul artikel nomor ${i}`,
        `Ringkasan artikel nomor ${i}.`,
        BODY.repeat(3),
        "Harga beras di pasar tradisional naik lagi pekan ini.",
        `Penulis ${i % AUTHORS}`,
        published,
        published,
        image,
        `h${i}`,
        seen,
        seen,
        url,
      );
      insertSource.run(`artikel-${i}.md`, id, url, seen, seen);
      insertLink.run(id, `kategori-${i % CATEGORIES}`, 0);
      // A third of the articles are in a second category.
      if (i % 3 === 0) insertLink.run(id, `kategori-${(i * 7 + 13) % CATEGORIES || 1}`, 1);
    }
  });
  for (let i = 0; i < count; i += 10_000) batch(i, Math.min(count, i + 10_000));
  sqlite.close();
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
  const file = path.join(root, "warta.sqlite");
  try {
    let started = performance.now();
    await generateStore(file, count);
    console.log(
      `store: ${count} articles, ${CATEGORIES} categories, ${AUTHORS} authors, generated in ` +
        `${((performance.now() - started) / 1000).toFixed(1)} s`,
    );

    const config = configSchema.parse({
      site: { title: "Warta Bench", base_url: "https://news.example.org/", language: "id" },
    });
    const db = await openDatabase(file);
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
    if (process.env.BENCH_KEEP) console.log(`kept ${root}`);
    else rmSync(root, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  await run();
}
