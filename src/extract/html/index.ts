export { decodeHtml } from "./decode.js";
export {
  extractHtmlPage,
  type HtmlExtraction,
  type HtmlExtractOptions,
  MAX_HTML_BYTES,
  MIN_PROSE_LENGTH,
} from "./extract.js";
