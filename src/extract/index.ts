import type { ArticleDraft, ExtractionRules, RawDocument } from "../domain/index.js";
import { AppError, type ErrorCode, isAppError } from "../shared/errors.js";
import { parseCapture } from "./capture.js";
import type { ExtractOptions } from "./fields.js";
import { extractHtmlPage } from "./html/index.js";
import { parseJsonArticle } from "./json.js";
import { parseMarkdown } from "./markdown.js";

export { parseCapture } from "./capture.js";
export type { ExtractOptions } from "./fields.js";
export {
  decodeHtml,
  extractHtmlPage,
  type HtmlExtraction,
  type HtmlExtractOptions,
  MAX_HTML_BYTES,
} from "./html/index.js";
export { decodeEntities, escapeHtml, htmlToText } from "./html-text.js";
export { parseJsonArticle } from "./json.js";
export { parseMarkdown } from "./markdown.js";
export { sanitizeArticleHtml } from "./sanitize.js";

/** Code for an unexpected failure inside a parser, by format. */
const FAILURE_CODES: Readonly<Record<string, ErrorCode>> = {
  markdown: "PARSE_FRONT_MATTER",
  json: "PARSE_JSON",
  capture: "PARSE_CAPTURE",
  html: "PARSE_HTML",
};

/**
 * Extracts an article draft from a raw document, by its format. Every failure is an
 * AppError whose message starts with "extract: <location>: ", keeping the original code and
 * the original error as its cause.
 */
export function extractDocument(
  doc: RawDocument,
  options: { timezone: string; language: string; rules?: ExtractionRules },
): ArticleDraft {
  try {
    return parseByFormat(doc, options);
  } catch (error) {
    const code = isAppError(error)
      ? error.code
      : (FAILURE_CODES[doc.format] ?? "SOURCE_UNKNOWN_FORMAT");
    const message = error instanceof Error ? error.message : String(error);
    throw new AppError(code, `extract: ${doc.location}: ${message}`, { cause: error });
  }
}

function parseByFormat(
  doc: RawDocument,
  options: ExtractOptions & { rules?: ExtractionRules },
): ArticleDraft {
  const format: string = doc.format;
  switch (format) {
    case "markdown":
      return parseMarkdown(doc.content, options);
    case "json":
      return parseJsonArticle(doc.content, options);
    case "capture":
      return parseCapture(doc.content, options);
    case "html":
      // A page fetched from the web is located by its URL, which resolves its relative links.
      return extractHtmlPage(doc.content, {
        ...options,
        ...(/^https?:\/\//i.test(doc.location) ? { url: doc.location } : {}),
      });
    default:
      throw new AppError("SOURCE_UNKNOWN_FORMAT", `unknown document format "${format}"`);
  }
}

export { type DecodedXml, decodeXml } from "./encoding.js";
export { feedEntryToDraft, isExcerptOnly, type ParseFeedOptions, parseFeed } from "./feed/index.js";
export { parseSitemap, type Sitemap, type SitemapEntry } from "./sitemap.js";
export { wordpressPostToDraft } from "./wordpress.js";
