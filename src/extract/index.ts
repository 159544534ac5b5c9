import type { ArticleDraft, RawDocument } from "../domain/index.js";
import { AppError, type ErrorCode, isAppError } from "../shared/errors.js";
import { parseCapture } from "./capture.js";
import type { ExtractOptions } from "./fields.js";
import { parseJsonArticle } from "./json.js";
import { parseMarkdown } from "./markdown.js";

export { parseCapture } from "./capture.js";
export type { ExtractOptions } from "./fields.js";
export { decodeEntities, escapeHtml, htmlToText } from "./html-text.js";
export { parseJsonArticle } from "./json.js";
export { parseMarkdown } from "./markdown.js";
export { sanitizeArticleHtml } from "./sanitize.js";

/** Code for an unexpected failure inside a parser, by format. */
const FAILURE_CODES: Readonly<Record<string, ErrorCode>> = {
  markdown: "PARSE_FRONT_MATTER",
  json: "PARSE_JSON",
  capture: "PARSE_CAPTURE",
};

/**
 * Extracts an article draft from a raw document, by its format. Every failure is an
 * AppError whose message starts with "extract: <location>: ", keeping the original code and
 * the original error as its cause.
 */
export function extractDocument(
  doc: RawDocument,
  options: { timezone: string; language: string },
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

function parseByFormat(doc: RawDocument, options: ExtractOptions): ArticleDraft {
  const format: string = doc.format;
  switch (format) {
    case "markdown":
      return parseMarkdown(doc.content, options);
    case "json":
      return parseJsonArticle(doc.content, options);
    case "capture":
      return parseCapture(doc.content, options);
    case "html":
      throw new AppError(
        "SOURCE_UNKNOWN_FORMAT",
        "HTML pages are not supported by the directory source yet (save the page as a .txt capture)",
      );
    default:
      throw new AppError("SOURCE_UNKNOWN_FORMAT", `unknown document format "${format}"`);
  }
}
