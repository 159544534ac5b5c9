import { isUtf8 } from "node:buffer";
import { readdirSync } from "node:fs";
import { Worker } from "node:worker_threads";
import { beforeAll, describe, expect, it } from "vitest";
import type { ParsedFeed } from "../../../src/domain/index.js";
import { decodeXml } from "../../../src/extract/encoding.js";
import { parseFeed } from "../../../src/extract/feed/index.js";
import { sanitizeArticleHtml } from "../../../src/extract/sanitize.js";
import { isAppError } from "../../../src/shared/errors.js";
import {
  listFeedFiles,
  locateCorpus,
  readCorpusFile,
  readFeedparserHeader,
  requestFor,
} from "./corpus-files.js";
import type { SweepOutcome } from "./corpus-sweep.js";
import { checkExpectation } from "./feedparser-expect.js";

/** Longest a single file may take before the guard stops the worker. */
const PER_FILE_TIMEOUT_MS = 10_000;

/**
 * The files that must be refused, each for a reason the corpus itself gives. Every other file
 * must parse.
 */
const EXPECTED_REJECTIONS: Readonly<Record<string, string>> = {
  // Licence texts: not feeds.
  "feedparser/LICENSE": "PARSE_UNKNOWN_FORMAT",
  "feedvalidator/LICENSE": "PARSE_UNKNOWN_FORMAT",
  // "Empty document should be a bozo": nothing to parse.
  "feedparser/illformed/rss_empty_document.xml": "PARSE_FEED",
  // Microsoft CDF (<CHANNEL> root) is not one of the formats warta reads.
  "feedparser/wellformed/base/cdf_item_abstract_xml_base.xml": "PARSE_UNKNOWN_FORMAT",
  "feedparser/wellformed/cdf/channel_abstract_map_description.xml": "PARSE_UNKNOWN_FORMAT",
  "feedparser/wellformed/cdf/channel_title.xml": "PARSE_UNKNOWN_FORMAT",
  "feedparser/wellformed/cdf/item_lastmod_parsed.xml": "PARSE_UNKNOWN_FORMAT",
  // "InvalidNamespace": a <feed> in a namespace that is not Atom's.
  "feedvalidator/testcases/atom/must/feed_namespace_01.xml": "PARSE_UNKNOWN_FORMAT",
  // The corpus README: "unrecognized.rss must be rejected".
  "rss-parser/input/unrecognized.rss": "PARSE_UNKNOWN_FORMAT",
};

/** Expectations warta deliberately does not meet, with the reason; each must still fail. */
const KNOWN_DEVIATIONS: Readonly<Record<string, string>> = {
  "feedparser/encoding/bozo_linenoise.xml":
    "the expected characters come from Python's codec fallback (its strict cp1252 rejects byte 0x9D, so feedparser reads 0xA9 as ISO-8859-2 'Š'); warta reads invalid UTF-8 as WHATWG windows-1252, which maps every byte",
  "feedparser/wellformed/sanitize/item_content_encoded_object.xml":
    "sanitizeArticleHtml (sanitize-html) drops the text after an unclosed <object>, where feedparser's sanitiser keeps it; not the parser's doing",
};

/** Parses every file in a worker thread, stopping it if one file takes too long. */
function sweepInWorker(corpus: string, files: string[]): Promise<SweepOutcome[]> {
  return new Promise((resolve, reject) => {
    const entry = new URL("./corpus-sweep.ts", import.meta.url).href;
    const worker = new Worker(new URL("./worker-boot.mjs", import.meta.url), {
      workerData: { corpus, files, entry },
    });
    const outcomes: SweepOutcome[] = [];
    let timer: NodeJS.Timeout | undefined;
    worker.on("message", (message: { type: string; file?: string; outcome?: SweepOutcome }) => {
      clearTimeout(timer);
      if (message.type === "start") {
        timer = setTimeout(() => {
          void worker.terminate();
          reject(new Error(`${message.file} took over ${PER_FILE_TIMEOUT_MS} ms: stopped`));
        }, PER_FILE_TIMEOUT_MS);
      } else if (message.outcome) {
        outcomes.push(message.outcome);
        if (outcomes.length === files.length) {
          void worker.terminate();
          resolve(outcomes);
        }
      }
    });
    worker.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** Parses a corpus file as it would have been fetched; undefined when it is refused. */
function parseCorpusFile(
  corpus: string,
  relative: string,
  contentType?: string,
): { feed?: ParsedFeed; encoding: string } {
  const bytes = readCorpusFile(corpus, relative);
  const request = requestFor(relative, readFeedparserHeader(bytes));
  const type = contentType ?? request.contentType;
  const { encoding } = decodeXml(bytes, type);
  try {
    return {
      feed: parseFeed(bytes, { url: request.url, contentType: type, timezone: "UTC" }),
      encoding,
    };
  } catch (error) {
    if (isAppError(error)) return { encoding };
    throw error;
  }
}

describe("feed corpus", () => {
  const corpus = locateCorpus();
  const files = listFeedFiles(corpus);

  describe("every file parses or is refused with one AppError", () => {
    let outcomes: SweepOutcome[] = [];
    beforeAll(async () => {
      outcomes = await sweepInWorker(corpus, files);
    }, 120_000);

    it("covers the whole corpus (feedparser, feedvalidator, rss-parser inputs)", () => {
      expect(files.length).toBeGreaterThanOrEqual(350);
      expect(outcomes.map((o) => o.file).sort()).toEqual(files);
    });

    it("never throws anything but an AppError", () => {
      expect(outcomes.filter((o) => o.status === "crashed")).toEqual([]);
    });

    it("refuses exactly the documents that are not feeds, with a message naming the URL", () => {
      const rejected = outcomes.filter((o) => o.status === "rejected");
      expect(Object.fromEntries(rejected.map((o) => [o.file, o.code]))).toEqual(
        EXPECTED_REJECTIONS,
      );
      for (const outcome of rejected) {
        expect(outcome.message).toMatch(/^feed: http:\/\/127\.0\.0\.1:8097\/\S+: /);
      }
    });

    it("reads the entries of the feeds that parse", () => {
      const parsed = outcomes.filter((o) => o.status === "parsed");
      expect(parsed.length).toBe(files.length - Object.keys(EXPECTED_REJECTIONS).length);
      expect(parsed.reduce((sum, o) => sum + o.entries, 0)).toBeGreaterThan(1000);
    });
  });

  describe("feedparser expectations", () => {
    const feedparserFiles = files.filter(
      (f) => f.startsWith("feedparser/") && !f.endsWith("LICENSE"),
    );
    const reports = feedparserFiles.map((file) => {
      const header = readFeedparserHeader(readCorpusFile(corpus, file));
      // Like feedparser without chardet, warta has no statistical charset detector; and the
      // documents refused above have no entries to check.
      const skip = /chardet/.test(header.skipUnless ?? "") || file in EXPECTED_REJECTIONS;
      const result = parseCorpusFile(corpus, file);
      // sanitize/ states the HTML left after sanitising, which the pipeline does next.
      const prepareHtml = file.includes("/sanitize/")
        ? (html: string) =>
            sanitizeArticleHtml(html, result.feed?.entries[0]?.url ?? "http://127.0.0.1:8097/")
        : undefined;
      const report =
        header.expect && !skip
          ? checkExpectation(header.expect, result, { prepareHtml })
          : undefined;
      return { file, expect: header.expect, report };
    });

    it("finds the expectation of every file, UTF-16 and UTF-32 ones included", () => {
      expect(reports.filter((r) => r.expect === undefined).map((r) => r.file)).toEqual([]);
    });

    it("meets every expectation that maps to warta's model", () => {
      const failures = reports
        .filter((r) => !(r.file in KNOWN_DEVIATIONS))
        .flatMap((r) => (r.report?.failures ?? []).map((f) => `${r.file}: ${f}`));
      expect(failures).toEqual([]);
    });

    it("still deviates where it says so (remove an entry that starts to pass)", () => {
      for (const file of Object.keys(KNOWN_DEVIATIONS)) {
        const report = reports.find((r) => r.file === file)?.report;
        expect(report?.failures.length ?? 0, file).toBeGreaterThan(0);
      }
    });

    it("checks the encoding of every encoding case that states one", () => {
      const stating = reports.filter(
        (r) => r.file.startsWith("feedparser/encoding/") && /\bencoding ==/.test(r.expect ?? ""),
      );
      expect(stating.length).toBeGreaterThanOrEqual(30);
      for (const r of stating) {
        expect(
          r.report?.checked.some((c) => c.startsWith("encoding ==")),
          r.file,
        ).toBe(true);
      }
      const wide = stating.filter((r) => /utf[-_]?(16|32)/i.test(r.file));
      expect(wide.length).toBeGreaterThanOrEqual(7);
    });

    it("checks titles, links and ids of a good sample of RSS, Atom and RDF cases", () => {
      const sample = reports.filter(
        (r) =>
          /^feedparser\/wellformed\/(rss|atom|atom10|rdf|base|lang|amp)\//.test(r.file) &&
          (r.report?.checked.length ?? 0) > 0,
      );
      expect(sample.length).toBeGreaterThanOrEqual(40);
      const entryFields = sample.filter((r) =>
        r.report?.checked.some((c) => /entries\[0\]\S*(title|link|id)/.test(c)),
      );
      expect(entryFields.length).toBeGreaterThanOrEqual(12);
    });
  });

  describe("rss-parser expected outputs", () => {
    const dir = `${corpus}/feeds/rss-parser`;
    const outputs = readdirSync(`${dir}/output`).filter((n) => /\.json(\.gz)?$/.test(n));
    const inputs = readdirSync(`${dir}/input`);

    it.each(outputs)("%s: same items, titles, links, ids and dates", (name) => {
      const bytes = readCorpusFile(corpus, `rss-parser/output/${name}`);
      // encoding.json was written in Latin-1, like its input.
      const expected = JSON.parse(bytes.toString(isUtf8(bytes) ? "utf8" : "latin1")).feed as {
        title?: string;
        items: {
          title?: string;
          link?: string;
          guid?: string;
          id?: string;
          pubDate?: string;
          isoDate?: string;
        }[];
      };
      const base = name.replace(/\.json(\.gz)?$/, "");
      const input = inputs.find((n) => n.replace(/\.(rss|atom)(\.gz)?$/, "") === base)!;
      const inputBytes = readCorpusFile(corpus, `rss-parser/input/${input}`);
      const feed = parseFeed(inputBytes, {
        url: `https://example.org/${input}`,
        contentType: base === "encoding" ? "text/xml; charset=latin1" : undefined,
        timezone: "UTC",
      });
      // warta prefers the article's own URL (feedburner:origLink) to FeedBurner's redirect.
      const origLinks = [
        ...inputBytes.toString("latin1").matchAll(/<feedburner:origLink>([^<]+)</g),
      ].map((m) => m[1]!);

      expect(feed.title).toBe(normalize(expected.title));
      expect(feed.entries).toHaveLength(expected.items.length);
      expected.items.forEach((item, i) => {
        const entry = feed.entries[i]!;
        expect(entry.title, `item ${i} title`).toBe(normalize(item.title));
        const link = origLinks.length === expected.items.length ? origLinks[i] : item.link;
        if (link) expect(entry.url, `item ${i} link`).toBe(new URL(link.trim()).href);
        const guid = item.guid ?? item.id;
        if (guid) expect(entry.guid, `item ${i} guid`).toBe(guid.trim());
        if (item.isoDate) {
          expect((entry.published ?? entry.updated)?.toISOString(), `item ${i} date`).toBe(
            item.isoDate,
          );
        }
      });
    });

    it("refuses unrecognized.rss as not a feed", () => {
      const url = "https://example.org/unrecognized.rss";
      let error: unknown;
      try {
        parseFeed(readCorpusFile(corpus, "rss-parser/input/unrecognized.rss"), {
          url,
          timezone: "UTC",
        });
      } catch (e) {
        error = e;
      }
      expect(isAppError(error, "PARSE_UNKNOWN_FORMAT")).toBe(true);
      expect((error as Error).message).toBe(
        `feed: ${url}: not RSS, Atom or JSON Feed (root element <head>)`,
      );
    });
  });
});

function normalize(value: string | undefined): string {
  return (value ?? "").replace(/\s+/g, " ").trim();
}
