/*
 * Article extraction quality and speed: warta's HTML extractor against Mozilla Readability
 * (on linkedom, its text content as the prediction), both run here on the same pages.
 * Quality is the scrapinghub article-extraction-benchmark metric (see score.ts) on the
 * development pages of the corpus, and the same token metric on the Indonesian pages
 * against the `content` of their expected.json.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { Readability } from "@mozilla/readability";
import { parseHTML } from "linkedom";
import { extractHtmlPage } from "../../src/extract/html/index.js";
import { readArticleBodies, type Scores, scoreExtractions } from "./score.js";

/** One page of a benchmark set, with the text it should yield. */
export interface BenchPage {
  id: string;
  html: string;
  url?: string;
  expected: string;
}

/** Predictions of one extractor over a set, and how long they took. */
export interface ExtractorRun {
  predictions: Record<string, string>;
  /** Pages whose extraction threw (a prediction of ""). */
  failures: Record<string, string>;
  milliseconds: number;
}

const repoRoot = path.resolve(import.meta.dirname, "../..");

/** The extraction corpus (../shared/corpus beside the checkout, or $WARTA_CORPUS). */
export function corpusDir(): string {
  const dir = process.env.WARTA_CORPUS ?? path.resolve(repoRoot, "../shared/corpus");
  const extraction = path.join(dir, "extraction");
  if (!existsSync(extraction)) {
    throw new Error(
      `bench: the extraction corpus is missing at ${extraction} (expected ../shared/corpus beside the checkout, or set WARTA_CORPUS)`,
    );
  }
  return extraction;
}

/** The scrapinghub development pages with their hand-made article bodies. */
export function loadScrapinghubPages(): BenchPage[] {
  const dir = path.join(corpusDir(), "scrapinghub-aeb");
  const truth = JSON.parse(readFileSync(path.join(dir, "ground-truth.json"), "utf8")) as Record<
    string,
    { articleBody?: string; url?: string }
  >;
  return Object.keys(truth)
    .sort()
    .map((id) => ({
      id,
      html: gunzipSync(readFileSync(path.join(dir, "html", `${id}.html.gz`))).toString("utf8"),
      url: truth[id]?.url,
      expected: truth[id]?.articleBody ?? "",
    }));
}

/** Expected values of one Indonesian page. */
export interface IndonesianExpectation {
  kind: "article" | "listing";
  url?: string;
  title?: string;
  date?: number;
  img?: string;
  content?: string;
}

/** The Indonesian pages, keyed "site/file.html", with their expected values. */
export function loadIndonesianPages(): { page: BenchPage; expected: IndonesianExpectation }[] {
  const dir = path.join(corpusDir(), "indonesian-news");
  const expected = JSON.parse(readFileSync(path.join(dir, "expected.json"), "utf8")) as Record<
    string,
    IndonesianExpectation
  >;
  return Object.keys(expected)
    .sort()
    .map((id) => {
      const value = expected[id]!;
      return {
        page: {
          id,
          html: readFileSync(path.join(dir, "html", id), "utf8"),
          url: value.url,
          expected: value.content ?? "",
        },
        expected: value,
      };
    });
}

/** Runs warta's extractor over pages; a refused page predicts "". */
export function runWarta(pages: readonly BenchPage[], timezone: string): ExtractorRun {
  const predictions: Record<string, string> = {};
  const failures: Record<string, string> = {};
  const start = performance.now();
  for (const page of pages) {
    try {
      predictions[page.id] = extractHtmlPage(page.html, {
        timezone,
        ...(page.url ? { url: page.url } : {}),
      }).contentText;
    } catch (error) {
      predictions[page.id] = "";
      failures[page.id] = error instanceof Error ? error.message : String(error);
    }
  }
  return { predictions, failures, milliseconds: performance.now() - start };
}

/** Runs Mozilla Readability (on linkedom) over pages: its text content is the prediction. */
export function runReadability(pages: readonly BenchPage[]): ExtractorRun {
  const predictions: Record<string, string> = {};
  const failures: Record<string, string> = {};
  const start = performance.now();
  for (const page of pages) {
    try {
      const { document } = parseHTML(page.html);
      const article = new Readability(document as never).parse();
      predictions[page.id] = article?.textContent ?? "";
    } catch (error) {
      predictions[page.id] = "";
      failures[page.id] = error instanceof Error ? error.message : String(error);
    }
  }
  return { predictions, failures, milliseconds: performance.now() - start };
}

/** Scores a run against the pages' expected texts. */
export function scoreRun(pages: readonly BenchPage[], run: ExtractorRun): Scores {
  const truth = Object.fromEntries(pages.map((page) => [page.id, page.expected]));
  return scoreExtractions(truth, run.predictions);
}

/** Lines of the extracted texts that are "Baca juga"-style related links. */
export function relatedLinkLines(run: ExtractorRun): string[] {
  return Object.values(run.predictions)
    .flatMap((text) => text.split("\n"))
    .filter((line) => /^\W*(?:baca|lihat|simak) (?:juga|pula)\b/i.test(line.trim()));
}

function row(name: string, scores: Scores): string {
  const figures = [scores.f1, scores.precision, scores.recall, scores.accuracy].map((value) =>
    value.toFixed(3).padStart(10),
  );
  return `${name.padEnd(24)}${figures.join("")}`;
}

const HEADER = `${"extractor".padEnd(24)}${["F1", "precision", "recall", "accuracy"].map((h) => h.padStart(10)).join("")}`;

/** Prints quality and speed of warta against Readability, both measured in this run. */
export async function run(): Promise<void> {
  const dev = loadScrapinghubPages();
  const indonesian = loadIndonesianPages();
  const articles = indonesian
    .filter((entry) => entry.expected.kind === "article")
    .map((e) => e.page);
  const listings = indonesian
    .filter((entry) => entry.expected.kind === "listing")
    .map((e) => e.page);

  // Warm both up on a few pages, so that neither pays the JIT's start alone.
  runWarta(dev.slice(0, 5), "UTC");
  runReadability(dev.slice(0, 5));

  const wartaDev = runWarta(dev, "UTC");
  const readabilityDev = runReadability(dev);
  const wartaId = runWarta(articles, "Asia/Jakarta");
  const readabilityId = runReadability(articles);
  const wartaListings = runWarta(listings, "Asia/Jakarta");

  console.log(`scrapinghub article-extraction-benchmark, development half (${dev.length} pages)`);
  console.log(HEADER);
  console.log(row("warta", scoreRun(dev, wartaDev)));
  console.log(row("readability (linkedom)", scoreRun(dev, readabilityDev)));
  console.log(`  published reference (dev): trafilatura 0.963, readability_js 0.950`);
  const refused = Object.keys(wartaDev.failures);
  if (refused.length > 0)
    console.log(`  warta refused ${refused.length} page(s): ${refused.join(", ")}`);

  console.log(`\nIndonesian news pages (${articles.length} articles, expected.json content)`);
  console.log(HEADER);
  console.log(row("warta", scoreRun(articles, wartaId)));
  console.log(row("readability (linkedom)", scoreRun(articles, readabilityId)));
  console.log(
    `  "Baca juga" lines left: warta ${relatedLinkLines(wartaId).length}, readability ${relatedLinkLines(readabilityId).length}`,
  );
  console.log(
    `  listing pages refused as not articles by warta: ${Object.keys(wartaListings.failures).length} of ${listings.length}`,
  );

  const wartaRate = (dev.length * 1000) / wartaDev.milliseconds;
  const readabilityRate = (dev.length * 1000) / readabilityDev.milliseconds;
  console.log(`\nspeed on the development pages (same run)`);
  console.log(`  warta        ${wartaRate.toFixed(1)} pages/s`);
  console.log(`  readability  ${readabilityRate.toFixed(1)} pages/s`);
  console.log(`  ratio warta/readability ${(wartaRate / readabilityRate).toFixed(2)}`);
}

/** Reads a benchmark output file of the corpus (used to check score.ts). */
export function loadBaselineOutput(name: string): Record<string, string> {
  const file = path.join(corpusDir(), "scrapinghub-aeb", "baseline-outputs", `${name}.json`);
  return readArticleBodies(JSON.parse(readFileSync(file, "utf8")));
}

/** Names of the baseline extractors whose outputs the corpus keeps. */
export function baselineNames(): string[] {
  return readdirSync(path.join(corpusDir(), "scrapinghub-aeb", "baseline-outputs"))
    .filter((file) => file.endsWith(".json"))
    .map((file) => file.slice(0, -".json".length))
    .sort();
}

if (process.argv[1] && path.resolve(process.argv[1]) === import.meta.filename) {
  await run();
}
