/**
 * Worker-thread entry of the limit tests: builds one hostile or huge document, parses it and
 * reports the outcome and the heap growth. The test runs it under resourceLimits, so that
 * a parse that needs more memory than allowed kills the worker instead of passing.
 */
import { getHeapStatistics } from "node:v8";
import { parentPort, workerData } from "node:worker_threads";
import { parseFeed } from "../../../src/extract/feed/index.js";
import { isAppError } from "../../../src/shared/errors.js";

/** What a scenario reports back. */
export interface LimitOutcome {
  status: "parsed" | "rejected" | "crashed";
  code?: string;
  message?: string;
  entries?: number;
  firstTitle?: string;
  firstSummaryLength?: number;
  bodyBytes: number;
  /** Heap growth across the parse, in MB (no GC forced, so an upper estimate). */
  heapGrowthMb: number;
  ms: number;
}

const { scenario } = workerData as { scenario: string };

function build(name: string): Buffer {
  switch (name) {
    case "oversize": {
      // 50 MB: a well-formed channel padded with items.
      const item = Buffer.from(
        "<item><title>Judul</title><description>Isi berita yang panjang.</description></item>\n",
      );
      const count = Math.ceil((50 * 1024 * 1024) / item.length);
      return Buffer.concat([
        Buffer.from('<rss version="2.0"><channel><title>Besar</title>'),
        ...Array.from({ length: count }, () => item),
        Buffer.from("</channel></rss>"),
      ]);
    }
    case "fifteen-mb": {
      const parts = [
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Berita</title><link>https://news.example/</link>',
      ];
      let size = 0;
      for (let i = 0; size < 15 * 1024 * 1024; i++) {
        const item = `<item><title>Berita nomor ${i} tentang ekonomi — café</title><link>https://news.example/berita/${i}</link><guid>https://news.example/berita/${i}</guid><pubDate>Sabtu, 4 Mei 2024 10:15 WIB</pubDate><dc:creator>Redaksi</dc:creator><category>Ekonomi</category><description><![CDATA[<p>Ringkasan berita nomor ${i}. Pemerintah mengumumkan kebijakan baru yang berlaku mulai bulan depan.</p><p>Paragraf kedua dengan <a href="/tautan/${i}">tautan</a> dan <img src="foto-${i}.jpg"> gambar.</p>]]></description></item>\n`;
        parts.push(item);
        size += Buffer.byteLength(item);
      }
      parts.push("</channel></rss>");
      return Buffer.from(parts.join(""));
    }
    case "billion-laughs": {
      const entities = ['<!ENTITY lol "lol">'];
      for (let level = 1; level <= 9; level++) {
        const previous = level === 1 ? "lol" : `lol${level - 1}`;
        entities.push(`<!ENTITY lol${level} "${`&${previous};`.repeat(10)}">`);
      }
      return Buffer.from(
        `<?xml version="1.0"?>\n<!DOCTYPE rss [\n${entities.join("\n")}\n]>\n<rss version="2.0"><channel><title>&lol9;</title><item><title>&lol9;</title></item></channel></rss>`,
      );
    }
    case "quadratic-blowup": {
      // One 50 kB entity referenced 100,000 times would expand to 5 GB.
      const value = "a".repeat(50_000);
      return Buffer.from(
        `<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY big "${value}">]><rss version="2.0"><channel><title>t</title><item><title>x</title><description>${"&big;".repeat(100_000)}</description></item></channel></rss>`,
      );
    }
    case "deep-nesting": {
      const depth = 200_000;
      return Buffer.from(
        `<rss version="2.0"><channel><title>Dalam</title>${"<x>".repeat(depth)}<item><title>Tersembunyi</title></item>${"</x>".repeat(depth)}<item><title>Judul</title><description>${"<div>".repeat(depth)}dasar${"</div>".repeat(depth)}</description></item></channel></rss>`,
      );
    }
    case "deep-json": {
      const depth = 500_000;
      return Buffer.from(
        `{"version":"https://jsonfeed.org/version/1.1","title":"Dalam","items":[{"id":"1","title":"Judul","extra":${"[".repeat(depth)}${"]".repeat(depth)}}]}`,
      );
    }
    case "empty-items": {
      // 20 MB of empty items: millions of entries if nothing bounded them.
      const count = Math.floor((20 * 1024 * 1024 - 100) / "<item/>".length);
      return Buffer.from(
        `<rss version="2.0"><channel><title>T</title>${"<item/>".repeat(count)}</channel></rss>`,
      );
    }
    case "nested-items": {
      const depth = 200_000;
      return Buffer.from(
        `<rss version="2.0"><channel><title>T</title>${"<item><title>x</title>".repeat(depth)}${"</item>".repeat(depth)}</channel></rss>`,
      );
    }
    case "random-bytes": {
      // A fixed pseudo-random sequence (xorshift), so every run sees the same bytes.
      const bytes = Buffer.alloc(1024 * 1024);
      let x = 2463534242;
      for (let i = 0; i < bytes.length; i++) {
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        bytes[i] = x & 0xff;
      }
      return bytes;
    }
    default:
      throw new Error(`unknown scenario ${name}`);
  }
}

const body = build(scenario);
const before = getHeapStatistics().used_heap_size;
const started = performance.now();
let outcome: LimitOutcome;
try {
  const feed = parseFeed(body, { url: "https://news.example/rss", timezone: "Asia/Jakarta" });
  const first = feed.entries[0];
  outcome = {
    status: "parsed",
    entries: feed.entries.length,
    firstTitle: first?.title,
    firstSummaryLength: first?.summaryHtml?.length,
    bodyBytes: body.length,
    heapGrowthMb: 0,
    ms: 0,
  };
} catch (error) {
  outcome = isAppError(error)
    ? {
        status: "rejected",
        code: error.code,
        message: error.message,
        bodyBytes: body.length,
        heapGrowthMb: 0,
        ms: 0,
      }
    : { status: "crashed", message: String(error), bodyBytes: body.length, heapGrowthMb: 0, ms: 0 };
}
outcome.ms = performance.now() - started;
outcome.heapGrowthMb = (getHeapStatistics().used_heap_size - before) / 1024 / 1024;
parentPort!.postMessage(outcome);
