/*
 * Feed parsing speed: warta's parseFeed against rss-parser (npm), both run here on the same
 * corpus bytes, in the same process and the same run. warta is given the raw bytes (its
 * decoding is timed); rss-parser takes strings, so it is given the text decodeXml produced
 * from the same bytes, and that decoding is not timed. Only the files both parse count,
 * so that both parse the same items. Set BENCH_REPEAT to change the number of passes.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gunzipSync } from "node:zlib";
import RssParser from "rss-parser";
import { decodeXml } from "../../src/extract/encoding.js";
import { parseFeed } from "../../src/extract/feed/index.js";

/** One corpus feed, as bytes and as the text rss-parser is given. */
interface BenchFeed {
  name: string;
  bytes: Buffer;
  text: string;
  contentType?: string;
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const TIMEZONE = "Asia/Jakarta";

/** The feed corpus (../shared/corpus beside the checkout, or $WARTA_CORPUS). */
function feedsDir(): string {
  const dir = process.env.WARTA_CORPUS ?? path.resolve(repoRoot, "../shared/corpus");
  const feeds = path.join(dir, "feeds");
  if (!existsSync(feeds)) {
    throw new Error(
      `bench: the feed corpus is missing at ${feeds} (expected ../shared/corpus beside the checkout, or set WARTA_CORPUS)`,
    );
  }
  return feeds;
}

/** The XML feeds of the corpus: feedparser, feedvalidator and the rss-parser inputs. */
function loadFeeds(): BenchFeed[] {
  const root = feedsDir();
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(xml|rss|atom)(\.gz)?$/.test(entry.name)) files.push(full);
    }
  };
  for (const top of ["feedparser", "feedvalidator", "rss-parser/input"]) walk(path.join(root, top));
  return files.sort().map((file) => {
    const raw = readFileSync(file);
    const bytes = file.endsWith(".gz") ? gunzipSync(raw) : raw;
    // The corpus README: encoding.rss is served as Latin-1.
    const contentType = file.endsWith("encoding.rss") ? "text/xml; charset=latin1" : undefined;
    return {
      name: path.relative(root, file),
      bytes,
      text: decodeXml(bytes, contentType).text,
      contentType,
    };
  });
}

function wartaItems(feed: BenchFeed): number {
  return parseFeed(feed.bytes, {
    url: `https://bench.example/${feed.name}`,
    contentType: feed.contentType,
    timezone: TIMEZONE,
  }).entries.length;
}

async function rssParserItems(parser: RssParser, feed: BenchFeed): Promise<number> {
  return (await parser.parseString(feed.text)).items.length;
}

/** Like rssParserItems, but gives up after a second: on a comment-only document rss-parser's promise never settles. */
async function rssParserItemsGuarded(parser: RssParser, feed: BenchFeed): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("rss-parser did not settle")), 1000);
  });
  try {
    return await Promise.race([rssParserItems(parser, feed), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs the benchmark and prints its table. */
export async function run(): Promise<void> {
  const repeat = Number(process.env.BENCH_REPEAT ?? 10);
  const parser = new RssParser();
  const all = loadFeeds();

  // Which files each parser reads, and how many items: only the common ones are timed.
  const common: { feed: BenchFeed; items: number; rssItems: number }[] = [];
  let wartaParsed = 0;
  let rssParsed = 0;
  for (const feed of all) {
    let items: number | undefined;
    let rssItems: number | undefined;
    try {
      items = wartaItems(feed);
      wartaParsed++;
    } catch {
      // Refused: not part of the timed set.
    }
    try {
      rssItems = await rssParserItemsGuarded(parser, feed);
      rssParsed++;
    } catch {
      // Refused, or never settled: not part of the timed set.
    }
    if (items !== undefined && rssItems !== undefined) common.push({ feed, items, rssItems });
  }
  const bytes = common.reduce((sum, c) => sum + c.feed.bytes.length, 0);
  const items = common.reduce((sum, c) => sum + c.items, 0);
  const rssItems = common.reduce((sum, c) => sum + c.rssItems, 0);

  const timeWarta = () => {
    const start = performance.now();
    for (const { feed } of common) wartaItems(feed);
    return performance.now() - start;
  };
  const timeRssParser = async () => {
    const start = performance.now();
    for (const { feed } of common) await rssParserItems(parser, feed);
    return performance.now() - start;
  };

  // One warm-up pass each, then alternate passes so that drift affects both alike.
  timeWarta();
  await timeRssParser();
  let wartaMs = 0;
  let rssMs = 0;
  for (let i = 0; i < repeat; i++) {
    wartaMs += timeWarta();
    rssMs += await timeRssParser();
  }

  const wartaRate = (items * repeat) / (wartaMs / 1000);
  const rssRate = (rssItems * repeat) / (rssMs / 1000);
  const mbPerSecond = (ms: number) => (bytes * repeat) / 1e6 / (ms / 1000);
  console.log(
    `corpus: ${all.length} XML feeds; warta parses ${wartaParsed}, rss-parser ${rssParsed}; ` +
      `timed on the ${common.length} both parse (${(bytes / 1e6).toFixed(2)} MB), ${repeat} passes`,
  );
  console.log(
    "rss-parser is given text already decoded by decodeXml (not timed); warta decodes the bytes itself (timed).",
  );
  const rows = [
    ["parser", "items/pass", "ms/pass", "items/s", "MB/s"],
    [
      "warta parseFeed",
      String(items),
      (wartaMs / repeat).toFixed(1),
      wartaRate.toFixed(0),
      mbPerSecond(wartaMs).toFixed(1),
    ],
    [
      "rss-parser 3.13",
      String(rssItems),
      (rssMs / repeat).toFixed(1),
      rssRate.toFixed(0),
      mbPerSecond(rssMs).toFixed(1),
    ],
  ];
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
  for (const row of rows) {
    console.log(
      row
        .map((cell, col) => (col === 0 ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!)))
        .join("  "),
    );
  }
  console.log(`ratio warta/rss-parser (items/s): ${(wartaRate / rssRate).toFixed(2)}`);
}

// Run directly (npx tsx scripts/bench/feeds.ts): argv[1] may be relative, so resolve it.
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  await run();
}
