import type { ArticleDraft, ExtractionRules } from "../../domain/index.js";
import { AppError } from "../../shared/errors.js";
import { type ExtractedBody, extractBody, MIN_PROSE_LENGTH } from "./body.js";
import { type DomElement, firstTagName, parseDocument, squash, textOf } from "./dom.js";
import { absoluteUrl, readPageMetadata } from "./metadata.js";

/** What an HTML page is read with. */
export interface HtmlExtractOptions {
  /** The page's own URL: relative links and images are resolved against it. */
  url?: string;
  /** IANA zone for dates printed without one (Asia/Jakarta). */
  timezone: string;
  /** Language to assume when the page does not declare one. */
  language?: string;
  /** Per-source rules on top of the built-in boilerplate removal. */
  rules?: ExtractionRules;
}

/** An article read from an HTML page: a full draft, plus what the page says about its site. */
export interface HtmlExtraction extends ArticleDraft {
  siteName?: string;
}

/** Pages larger than this are refused rather than parsed. */
export const MAX_HTML_BYTES = 5 * 1024 * 1024;

export { MIN_PROSE_LENGTH } from "./body.js";

const SUMMARY_LENGTH = 300;

/**
 * Extracts the article of an HTML page: metadata from JSON-LD, OpenGraph and <meta> first,
 * the body through Readability and warta's boilerplate rules, dates read in `timezone`.
 * Throws AppError EXTRACT_NOT_ARTICLE for a page without an article (a listing, a feed, a
 * page with almost no prose) and PARSE_TOO_LARGE for a page over 5 MB.
 * @example extractHtmlPage(html, { url: "https://x.id/a", timezone: "Asia/Jakarta" }).contentText
 */
export function extractHtmlPage(html: string, options: HtmlExtractOptions): HtmlExtraction {
  const size = Buffer.byteLength(html, "utf8");
  if (size > MAX_HTML_BYTES) {
    throw new AppError(
      "PARSE_TOO_LARGE",
      `html: the page is ${megabytes(size)} of HTML, more than the ${megabytes(MAX_HTML_BYTES)} limit`,
    );
  }
  const root = firstTagName(html);
  if (root === "rss" || root === "feed" || root === "rdf:rdf") {
    throw new AppError("EXTRACT_NOT_ARTICLE", "html: the document is a feed, not an article page");
  }
  const document = parseDocument(html);
  const baseUrl = findBaseUrl(document, options.url);
  const metadata = readPageMetadata(document, { baseUrl, timezone: options.timezone });
  const body = extractBody(document, {
    title: metadata.title,
    rules: options.rules,
    timezone: options.timezone,
  });
  if (!body || body.proseLength < MIN_PROSE_LENGTH) {
    throw new AppError(
      "EXTRACT_NOT_ARTICLE",
      `html: no article found: the page has ${body?.proseLength ?? 0} characters of prose ` +
        `(an article needs ${MIN_PROSE_LENGTH}); it may be a listing or index page`,
    );
  }
  if (isListing(body, metadata.declaresArticle)) {
    throw new AppError(
      "EXTRACT_NOT_ARTICLE",
      `html: the page is a listing, not an article: its main content is ${body.dateLines} dated ` +
        `items and ${body.teaserLinks} links to other articles`,
    );
  }
  resolveUrls(body.root, baseUrl);
  const title = metadata.title ?? firstHeading(body.root);
  if (!title) {
    throw new AppError("EXTRACT_NOT_ARTICLE", "html: the page has no title");
  }
  const contentText = body.paragraphs.join("\n");
  const image = metadata.image ?? firstImage(body.root);
  const draft: HtmlExtraction = {
    title,
    url: metadata.url ?? absoluteUrl(options.url, undefined),
    published: metadata.published,
    updated: metadata.updated,
    author: metadata.author,
    categories: metadata.categories,
    tags: metadata.tags,
    language: metadata.language ?? options.language,
    summary: metadata.summary ?? truncate(body.paragraphs[0] ?? "", SUMMARY_LENGTH),
    contentHtml: innerHtmlOf(body.root),
    contentText,
    image,
    siteName: metadata.siteName,
  };
  return draft;
}

/**
 * An index page: items each with its own date ("14:34 WIB", "2 menit lalu"), or a page that
 * does not call itself an article and is mostly headlines of others.
 */
function isListing(body: ExtractedBody, declaresArticle: boolean | undefined): boolean {
  const items = body.paragraphs.length + body.dateLines;
  if (body.dateLines >= 2 && body.dateLines >= items * 0.3) return true;
  return (
    declaresArticle === false &&
    body.teaserLinks >= 10 &&
    body.teaserLinks >= (body.paragraphs.length + body.teaserLinks) * 0.3
  );
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** The URL relative links are resolved against: <base href>, the page URL, its canonical URL. */
function findBaseUrl(
  document: ReturnType<typeof parseDocument>,
  pageUrl: string | undefined,
): string | undefined {
  const page =
    absoluteUrl(pageUrl, undefined) ??
    absoluteUrl(document.querySelector("link[rel~=canonical]")?.getAttribute("href"), undefined) ??
    absoluteUrl(
      document.querySelector('meta[property="og:url"]')?.getAttribute("content"),
      undefined,
    );
  const base = document.querySelector("base[href]")?.getAttribute("href");
  return absoluteUrl(base, page) ?? page;
}

/** Makes links and images absolute; lazy-loaded images get their real source. */
function resolveUrls(root: DomElement, baseUrl: string | undefined): void {
  for (const link of Array.from(root.querySelectorAll("a[href]"))) {
    const href = link.getAttribute("href") ?? "";
    if (href.startsWith("#") && !baseUrl) continue;
    const url = absoluteUrl(href, baseUrl);
    if (url) link.setAttribute("href", url);
    else if (!/^(?:mailto|tel):/i.test(href)) link.removeAttribute("href");
  }
  for (const image of Array.from(root.querySelectorAll("img"))) {
    const src = image.getAttribute("src") ?? "";
    const lazy =
      image.getAttribute("data-src") ??
      image.getAttribute("data-lazy-src") ??
      image.getAttribute("data-original");
    const chosen = lazy && (src === "" || src.startsWith("data:")) ? lazy : src;
    const url = absoluteUrl(chosen, baseUrl);
    if (url) image.setAttribute("src", url);
    else image.removeAttribute("src");
    const srcset = image.getAttribute("srcset");
    if (srcset) {
      const resolved = srcset
        .split(",")
        .map((entry) => {
          const [candidate, ...descriptor] = entry.trim().split(/\s+/);
          const absolute = absoluteUrl(candidate, baseUrl);
          return absolute ? [absolute, ...descriptor].join(" ") : undefined;
        })
        .filter((entry) => entry !== undefined);
      if (resolved.length > 0) image.setAttribute("srcset", resolved.join(", "));
      else image.removeAttribute("srcset");
    }
  }
}

/** The body's HTML, without the wrapper Readability puts around it. */
function innerHtmlOf(root: DomElement): string {
  const children = Array.from(root.children);
  const only = children.length === 1 ? children[0] : undefined;
  const inner = only && only.getAttribute("id") === "readability-page-1" ? only : root;
  return inner.innerHTML.trim();
}

function firstHeading(root: DomElement): string | undefined {
  const heading = root.querySelector("h1, h2");
  return heading ? textOf(heading) || undefined : undefined;
}

function firstImage(root: DomElement): { url: string; alt?: string } | undefined {
  for (const image of Array.from(root.querySelectorAll("img[src]"))) {
    const url = image.getAttribute("src");
    if (!url || !/^https?:/i.test(url)) continue;
    const alt = squash(image.getAttribute("alt"));
    return alt ? { url, alt } : { url };
  }
  return undefined;
}

function truncate(text: string, length: number): string | undefined {
  if (text === "") return undefined;
  if (text.length <= length) return text;
  const cut = text.slice(0, length);
  const space = cut.lastIndexOf(" ");
  return `${(space > length * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
