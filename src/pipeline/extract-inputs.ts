import { readFile } from "node:fs/promises";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import type { ArticleDraft, Fetcher } from "../domain/index.js";
import {
  decodeHtml,
  extractHtmlPage,
  MAX_HTML_BYTES,
  parseCapture,
  sanitizeArticleHtml,
} from "../extract/index.js";
import { AppError, errorMessage } from "../shared/errors.js";

/** What extracting loose inputs needs. */
export interface ExtractInputsDeps {
  /** Fetches http(s) inputs; without it a URL input yields an error record. */
  fetcher?: Fetcher;
  /** The page URL of a single local file, to resolve its relative links. */
  pageUrl?: string;
  timezone: string;
  language: string;
  /** Reads a local file (replaceable in tests). */
  readFile?: (file: string) => Promise<Buffer>;
}

const HTML_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5";

/**
 * Extracts the article of each input (an .html, .html.gz or capture .txt file, or an http(s)
 * URL) and yields one record per input, in order: `{input, title, published, author, image,
 * text, html}` (plus `dateline` and `credit` for captures), or `{input, error}`. One bad
 * input does not stop the others.
 */
export async function* extractInputs(
  inputs: readonly string[],
  deps: ExtractInputsDeps,
): AsyncIterable<Record<string, unknown>> {
  for (const input of inputs) {
    try {
      const { draft, pageUrl } = await extractOne(input, deps);
      yield toRecord(input, draft, pageUrl);
    } catch (error) {
      yield { input, error: errorMessage(error) };
    }
  }
}

async function extractOne(
  input: string,
  deps: ExtractInputsDeps,
): Promise<{ draft: ArticleDraft; pageUrl?: string }> {
  const options = { timezone: deps.timezone, language: deps.language };
  if (/^https?:\/\//i.test(input)) {
    if (!deps.fetcher) {
      throw new AppError("FETCH_SCHEME", `extract: ${input}: fetching URLs is not available here`);
    }
    const page = await deps.fetcher.fetch({ url: input, accept: HTML_ACCEPT });
    const html = decodeHtml(page.body, page.contentType);
    const draft = extractHtmlPage(html, { ...options, url: page.url });
    return { draft, pageUrl: page.url };
  }
  const read = deps.readFile ?? ((file: string) => readFile(file));
  let bytes: Buffer;
  try {
    bytes = await read(input);
  } catch (error) {
    throw new AppError("SOURCE_READ", `extract: cannot read ${input}: ${errorMessage(error)}`, {
      cause: error,
    });
  }
  const gzipped = /\.gz$/i.test(input);
  if (gzipped) bytes = gunzip(input, bytes);
  const name = gzipped ? input.slice(0, -3) : input;
  const extension = path.extname(name).toLowerCase();
  if (extension === ".txt") {
    return { draft: parseCapture(bytes.toString("utf8"), options) };
  }
  if ([".html", ".htm", ".xhtml", ".shtml", ".php", ".asp", ".aspx"].includes(extension)) {
    const draft = extractHtmlPage(decodeHtml(bytes), {
      ...options,
      ...(deps.pageUrl ? { url: deps.pageUrl } : {}),
    });
    return { draft, pageUrl: deps.pageUrl };
  }
  throw new AppError(
    "SOURCE_UNKNOWN_FORMAT",
    `extract: ${input}: unknown kind of file (expected .html, .html.gz or a .txt capture)`,
  );
}

/** Decompresses a gzipped page, refusing one that unpacks past the HTML size limit. */
function gunzip(input: string, bytes: Buffer): Buffer {
  try {
    return gunzipSync(bytes, { maxOutputLength: MAX_HTML_BYTES + 1 });
  } catch (error) {
    const tooLarge = error instanceof RangeError || /buffer|length/i.test(errorMessage(error));
    throw new AppError(
      tooLarge ? "PARSE_TOO_LARGE" : "SOURCE_READ",
      tooLarge
        ? `extract: ${input}: unpacks to more than ${MAX_HTML_BYTES / 1024 / 1024} MB`
        : `extract: ${input}: not valid gzip: ${errorMessage(error)}`,
      { cause: error },
    );
  }
}

function toRecord(
  input: string,
  draft: ArticleDraft,
  pageUrl: string | undefined,
): Record<string, unknown> {
  const base = draft.url ?? pageUrl ?? "";
  return {
    input,
    title: draft.title,
    published: draft.published?.toISOString(),
    author: draft.author,
    image: draft.image?.url,
    text: draft.contentText,
    html: sanitizeArticleHtml(draft.contentHtml, base),
    ...(draft.dateline !== undefined ? { dateline: draft.dateline } : {}),
    ...(draft.credit !== undefined ? { credit: draft.credit } : {}),
  };
}
