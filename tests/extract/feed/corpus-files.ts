import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";

/** The repository checkout (three levels above this file). */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

/** The shared corpus, which CI places beside the checkout; throws a clear error if missing. */
export function locateCorpus(): string {
  const corpus = path.resolve(repoRoot, "../shared/corpus");
  if (!existsSync(path.join(corpus, "feeds"))) {
    throw new Error(
      `test corpus not found at ${corpus}/feeds: the shared/ folder (with corpus/feeds/) must sit beside the checkout`,
    );
  }
  return corpus;
}

/** Every file of the feed corpus that the parser must survive, relative to corpus/feeds/. */
export function listFeedFiles(corpus: string): string[] {
  const feeds = path.join(corpus, "feeds");
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else out.push(path.relative(feeds, full));
    }
  };
  for (const top of ["feedparser", "feedvalidator", "rss-parser/input"]) {
    walk(path.join(feeds, top));
  }
  return out.sort();
}

/** The bytes of a corpus file, gunzipped when its name ends in .gz. */
export function readCorpusFile(corpus: string, relative: string): Buffer {
  const bytes = readFileSync(path.join(corpus, "feeds", relative));
  return relative.endsWith(".gz") ? gunzipSync(bytes) : bytes;
}

/** The header comment of a feedparser test file: simulated HTTP headers and the expectation. */
export interface FeedparserHeader {
  headers: Record<string, string>;
  description?: string;
  expect?: string;
  /** feedparser skips the test unless this Python expression holds (a codec, chardet). */
  skipUnless?: string;
}

/**
 * Reads the first comment of a feedparser test, decoding UTF-16/32 by itself (independently of
 * the code under test). JSON files carry it in a "__TEST__" string.
 */
export function readFeedparserHeader(bytes: Buffer): FeedparserHeader {
  const text = independentDecode(bytes);
  const header: FeedparserHeader = { headers: {} };
  const json = /"__TEST__"\s*:\s*"([^"]*)"/.exec(text)?.[1];
  if (json !== undefined) {
    const expect = /Expect:\s*(.*?)\s*(?:-->)?\s*$/.exec(json)?.[1];
    if (expect) header.expect = expect;
    return header;
  }
  const comment = /<!--([\s\S]*?)-->/.exec(text)?.[1] ?? "";
  let current: { key: string; value: string } | undefined;
  const fields: { key: string; value: string }[] = [];
  for (const line of comment.split(/\r?\n/)) {
    const m = /^\s*([A-Z]\w*):\s*(.*)$/.exec(line);
    if (m) {
      current = { key: m[1]!, value: m[2]!.trim() };
      fields.push(current);
    } else if (current && line.trim() !== "") {
      current.value += ` ${line.trim()}`;
    }
  }
  for (const { key, value } of fields) {
    if (key === "Header") {
      const m = /^([\w-]+):\s*(.*)$/.exec(value);
      if (m) header.headers[m[1]!.toLowerCase()] = m[2]!.trim();
    } else if (key === "Expect") {
      header.expect = value;
    } else if (key === "Description") {
      header.description = value;
    } else if (key === "SkipUnless") {
      header.skipUnless = value;
    }
  }
  return header;
}

/** The URL and Content-Type a feed would have been fetched with. */
export function requestFor(
  relative: string,
  header: FeedparserHeader,
): { url: string; contentType?: string } {
  // feedparser's test server serves tests/<path> at 127.0.0.1:8097.
  const served = `http://127.0.0.1:8097/tests/${relative.replace(/^feedparser\//, "")}`;
  const location = header.headers["content-location"];
  const url = location ? new URL(location, served).href : served;
  const contentType = header.headers["content-type"];
  return contentType ? { url, contentType } : { url };
}

function independentDecode(bytes: Buffer): string {
  const b = [...bytes.subarray(0, 4)];
  const utf32 = (bigEndian: boolean) => {
    let out = "";
    for (let i = 0; i + 3 < bytes.length; i += 4) {
      const cp = bigEndian ? bytes.readUInt32BE(i) : bytes.readUInt32LE(i);
      if (cp !== 0xfeff && cp <= 0x10ffff) out += String.fromCodePoint(cp);
    }
    return out;
  };
  if (b[0] === 0 && b[1] === 0) return utf32(true);
  if (b[2] === 0 && b[3] === 0 && b[1] !== 0xfe) return utf32(false);
  if (b[0] === 0xff && b[1] === 0xfe && b[2] === 0 && b[3] === 0) return utf32(false);
  if ((b[0] === 0xfe && b[1] === 0xff) || (b[0] === 0 && b[1] !== 0)) {
    const swapped = Buffer.from(bytes.subarray(0, bytes.length - (bytes.length % 2)));
    return swapped.swap16().toString("utf16le");
  }
  if ((b[0] === 0xff && b[1] === 0xfe) || (b[1] === 0 && b[0] !== 0)) {
    return bytes.toString("utf16le");
  }
  return bytes.toString("latin1");
}
