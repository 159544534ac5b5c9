import { Readability } from "@mozilla/readability";
import type { ExtractionRules } from "../../domain/index.js";
import { findNewsDate } from "../../shared/dates.js";
import { AppError } from "../../shared/errors.js";
import { BLOCK_TAGS as TEXT_BLOCK_TAGS } from "../html-text.js";
import {
  AGENCY_CREDIT_RE,
  AGENCY_LINE_RE,
  BOILERPLATE_LINES,
  BYLINE_RE,
  CAPTION_LINE_RE,
  END_LABELS,
  FURNITURE_LABELS,
  isBoilerplateName,
  isCaptionName,
  isHiddenClass,
  NOISE_TAGS,
} from "./boilerplate.js";
import {
  type DomDocument,
  type DomElement,
  type DomNode,
  isElement,
  squash,
  TEXT_NODE,
  tagOf,
  textOf,
  walkElements,
} from "./dom.js";

/** The article body found in a page. */
export interface ExtractedBody {
  /** The body's root element (a detached <div>), boilerplate removed. */
  root: DomElement;
  /** Paragraphs, headings, list items and quotes, in order; captions left out. */
  paragraphs: string[];
  /** Characters of prose: paragraphs of running text, not links or labels. */
  proseLength: number;
  /** Longest paragraph of prose, in characters. */
  longestParagraph: number;
  /** Headline-like links removed from the body (teasers of other articles). */
  teaserLinks: number;
  /** Lines that were only a date or a time ("Selasa, 23 Februari 2016 | 14:34 WIB", "2 menit lalu"). */
  dateLines: number;
  /** Characters of prose in the whole page, before extraction. */
  pageProse: number;
}

/** Characters of running prose below which a page is not an article. */
export const MIN_PROSE_LENGTH = 250;

/** Marks an image caption or photo credit: kept in the HTML, left out of the text. */
const CAPTION_MARK = "data-warta-caption";

/** Elements that start a block of text: those of plain-text conversion, and table cells. */
const BLOCK_TAGS: ReadonlySet<string> = new Set([...TEXT_BLOCK_TAGS, "td", "th"]);

const HEADING_TAGS: ReadonlySet<string> = new Set(["h1", "h2", "h3", "h4", "h5", "h6"]);

/** Video hosts whose players stay in the body (the sanitiser keeps the same ones). */
const VIDEO_RE =
  /\/\/(?:www\.)?(?:youtube(?:-nocookie)?\.com\/embed\/|player\.vimeo\.com\/|(?:www\.)?dailymotion\.com\/embed\/)/i;

/**
 * Finds the article body: drops the per-source selectors and the page's boilerplate, lets
 * Readability pick the main content, then removes the lines that are not the article
 * (related links, share and subscribe calls, bylines, captions from the text).
 */
export function extractBody(
  document: DomDocument,
  options: { title?: string; rules?: ExtractionRules; timezone: string },
): ExtractedBody | undefined {
  const rules = options.rules;
  const pageProse = removeNoise(document, rules?.dropSelectors ?? []);
  const article = new Readability<DomElement>(document as never, {
    serializer: (node) => node as unknown as DomElement,
    disableJSONLD: true,
    allowedVideoRegex: VIDEO_RE,
  }).parse();
  const root = article?.content;
  if (!root) return undefined;
  // Readability leaves the title and the page's own furniture lines in; drop them.
  const blocks = joinDatelines(normaliseBlocks(root));
  const dropLines = [...BOILERPLATE_LINES, ...(rules?.dropLines ?? [])];
  const stats = { teaserLinks: 0, dateLines: 0 };
  const kept = cleanBlocks(
    blocks,
    { title: options.title, dropLines, timezone: options.timezone },
    stats,
  );
  removeEmpty(root);
  const text = collectText(kept, false);
  // A photo story has its words in the captions only: they are its text then.
  const result = text.proseLength < MIN_PROSE_LENGTH ? collectText(kept, true) : text;
  return { root, ...result, teaserLinks: stats.teaserLinks, dateLines: stats.dateLines, pageProse };
}

function collectText(
  blocks: readonly Block[],
  withCaptions: boolean,
): { paragraphs: string[]; proseLength: number; longestParagraph: number } {
  const paragraphs: string[] = [];
  let proseLength = 0;
  let longestParagraph = 0;
  for (const block of blocks) {
    if (!block.element.parentNode) continue;
    if (!withCaptions && isCaption(block.element)) continue;
    const text = block.element.querySelector("br") ? blockText(block.element) : block.text;
    if (text === "") continue;
    paragraphs.push(text);
    if (!block.heading && text.length >= 60 && linkDensity(block.element) < 0.5) {
      proseLength += text.length;
      longestParagraph = Math.max(longestParagraph, text.length);
    }
  }
  return { paragraphs, proseLength, longestParagraph };
}

/**
 * Removes what never is article text, before Readability looks at the page. Returns the
 * length of the page's prose.
 */
function removeNoise(document: DomDocument, dropSelectors: readonly string[]): number {
  for (const selector of dropSelectors) {
    let matches: ArrayLike<DomElement>;
    try {
      matches = document.querySelectorAll(selector);
    } catch (error) {
      throw new AppError("CONFIG_INVALID", `extract: invalid drop selector "${selector}"`, {
        cause: error,
      });
    }
    for (const element of Array.from(matches)) element.remove();
  }
  const body = document.body;
  if (!body) return 0;
  const { prose, holdsArticle } = articleGuard(body);
  walkElements(body, (element) => {
    const tag = tagOf(element);
    if (NOISE_TAGS.includes(tag) || isHidden(element)) {
      element.remove();
      return "skip";
    }
    if (tag === "iframe") {
      if (!VIDEO_RE.test(element.getAttribute("src") ?? "")) {
        element.remove();
        return "skip";
      }
      return undefined;
    }
    if (tag === "figcaption") {
      element.setAttribute(CAPTION_MARK, "");
      return "skip";
    }
    const names = `${element.getAttribute("class") ?? ""} ${element.getAttribute("id") ?? ""}`;
    if (names.trim() === "" || tag === "body" || tag === "main") return undefined;
    if (isCaptionName(names)) {
      element.setAttribute(CAPTION_MARK, "");
      return "skip";
    }
    if (isBoilerplateName(names) && !holdsArticle(element)) {
      element.remove();
      return "skip";
    }
    if (tag === "form" && !holdsArticle(element)) {
      element.remove();
      return "skip";
    }
    return undefined;
  });
  return prose;
}

function isHidden(element: DomElement): boolean {
  if (element.hasAttribute("hidden")) return true;
  if (element.getAttribute("aria-hidden") === "true" && (element.textContent ?? "").length < 200) {
    return true;
  }
  const style = element.getAttribute("style");
  if (style && /(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden)/i.test(style)) return true;
  const className = element.getAttribute("class");
  return className ? isHiddenClass(className) : false;
}

/** Runs of text at least this long are prose, not labels or links. */
const PROSE_RUN = 60;

/** Elements whose text is not read. */
const UNREAD_TAGS: ReadonlySet<string> = new Set(["script", "style", "noscript", "template"]);

/**
 * Tells whether an element holds much of the page's prose (long runs of text): a wrapper
 * named like boilerplate ("content-with-sidebar", "widget Blog", "modal-enabled") may still
 * hold the article.
 */
function articleGuard(body: DomElement): {
  prose: number;
  holdsArticle: (element: DomElement) => boolean;
} {
  const proseOf = (root: DomElement) => {
    let length = 0;
    walkText(root, (node) => {
      if (node.nodeType !== TEXT_NODE) return;
      const parent = node.parentElement;
      if (parent && UNREAD_TAGS.has(tagOf(parent))) return;
      const text = squash(node.textContent);
      if (text.length >= PROSE_RUN) length += text.length;
    });
    return length;
  };
  const prose = proseOf(body);
  return { prose, holdsArticle: (element) => proseOf(element) > prose * 0.3 };
}

interface Block {
  element: DomElement;
  text: string;
  heading: boolean;
}

/**
 * Makes every piece of text sit in a leaf block: loose text beside blocks is wrapped in a
 * <p>, and a <div> of lines separated by <br> is split into paragraphs. Returns the leaf
 * blocks in document order.
 */
function normaliseBlocks(root: DomElement): Block[] {
  const blocks: Block[] = [];
  const containers: DomElement[] = [];
  walkElements(root, (element) => {
    if (BLOCK_TAGS.has(tagOf(element))) containers.push(element);
    return undefined;
  });
  for (const container of containers) {
    if (hasBlockChild(container)) wrapLooseText(container);
    else if (tagOf(container) === "div" && container.querySelector("br")) splitAtBreaks(container);
  }
  walkElements(root, (element) => {
    if (!BLOCK_TAGS.has(tagOf(element)) || !isLeafBlock(element)) return undefined;
    const text = blockText(element);
    if (text !== "") {
      blocks.push({ element, text, heading: HEADING_TAGS.has(tagOf(element)) });
    }
    return "skip";
  });
  return blocks;
}

/** A block without blocks inside; a table row is one when its cells are (a data table). */
function isLeafBlock(element: DomElement): boolean {
  if (tagOf(element) !== "tr") return !hasBlockChild(element);
  return cellsOf(element).every((cell) => !hasBlockChild(cell));
}

function cellsOf(row: DomElement): DomElement[] {
  return Array.from(row.children).filter((cell) => ["td", "th"].includes(tagOf(cell)));
}

function hasBlockChild(element: DomElement): boolean {
  for (let child = element.firstChild; child; child = child.nextSibling) {
    if (isElement(child) && BLOCK_TAGS.has(tagOf(child))) return true;
  }
  return false;
}

/** Wraps runs of inline content that sit directly in a block container into <p>s. */
function wrapLooseText(container: DomElement): void {
  let run: DomNode[] = [];
  const flush = () => {
    if (run.some((node) => squash(node.textContent) !== "")) {
      const p = ownerDocument(container).createElement("p");
      run[0]!.before(p);
      for (const node of run) p.append(node);
    }
    run = [];
  };
  for (let child = container.firstChild; child; ) {
    const next = child.nextSibling;
    if (isElement(child) && BLOCK_TAGS.has(tagOf(child))) flush();
    else run.push(child);
    child = next;
  }
  flush();
}

/** "Jakarta -", "JAKARTA, KOMPAS.com —": a place and maybe a source, then a dash. */
const DATELINE_RUN_RE = /^[\p{Lu}][\p{L}\p{N} .,()'’/]{1,50}\s*[-–—]+$/u;

/**
 * Joins a dateline standing alone ("<strong>Jakarta</strong> -") to the paragraph after it,
 * where the reader sees it.
 */
function joinDatelines(blocks: Block[]): Block[] {
  const joined: Block[] = [];
  for (let i = 0; i < blocks.length; i++) {
    const block = blocks[i]!;
    const next = blocks[i + 1];
    if (next && !next.heading && !block.heading && DATELINE_RUN_RE.test(block.text)) {
      const first = next.element.firstChild;
      for (const node of Array.from(block.element.childNodes)) {
        if (first) first.before(node);
        else next.element.append(node);
      }
      if (first) first.before(" ");
      block.element.remove();
      next.text = `${block.text} ${next.text}`;
      continue;
    }
    joined.push(block);
  }
  return joined;
}

/** Splits a <div> of lines separated by two or more <br> into paragraphs. */
function splitAtBreaks(container: DomElement): void {
  const groups: DomNode[][] = [[]];
  let breaks = 0;
  for (let child = container.firstChild; child; child = child.nextSibling) {
    if (isElement(child) && tagOf(child) === "br") {
      breaks++;
      continue;
    }
    if (child.nodeType === TEXT_NODE && squash(child.textContent) === "") continue;
    if (breaks >= 1 && groups[groups.length - 1]!.length > 0) groups.push([]);
    breaks = 0;
    groups[groups.length - 1]!.push(child);
  }
  if (groups.length < 2) return;
  const document = ownerDocument(container);
  for (const group of groups) {
    const p = document.createElement("p");
    for (const node of group) p.append(node);
    container.append(p);
  }
  for (let child = container.firstChild; child; ) {
    const next = child.nextSibling;
    if (!(isElement(child) && tagOf(child) === "p" && child.parentNode === container)) {
      child.remove();
    }
    child = next;
  }
}

function ownerDocument(node: DomNode): DomDocument {
  return (node as unknown as { ownerDocument: DomDocument }).ownerDocument;
}

/**
 * Drops the blocks that are not the article: boilerplate lines (built in and the source's
 * own), link lists, the repeated title, bylines and date lines at the edges, furniture
 * labels, and whatever follows an end-of-article heading ("Related stories").
 */
function cleanBlocks(
  blocks: Block[],
  options: { title: string | undefined; dropLines: readonly RegExp[]; timezone: string },
  stats: { teaserLinks: number; dateLines: number },
): Block[] {
  const title = options.title ? normaliseForCompare(options.title) : undefined;
  const kept: Block[] = [];
  // After a "Related stories" label, its list: short lines and links, up to the next prose.
  let inRelated = false;
  for (const block of blocks) {
    const { element, text } = block;
    if (isCaption(element)) {
      kept.push(block);
      continue;
    }
    if (isCaptionLine(element, text)) {
      element.setAttribute(CAPTION_MARK, "");
      kept.push(block);
      continue;
    }
    const label = normaliseLabel(text);
    if (END_LABELS.has(label)) {
      inRelated = true;
      element.remove();
      continue;
    }
    if (inRelated) {
      if (!isProse(block)) {
        element.remove();
        continue;
      }
      inRelated = false;
    }
    if (
      options.dropLines.some((pattern) => pattern.test(text)) ||
      FURNITURE_LABELS.has(label) ||
      /^[\d\s.,:;!?'"()[\]|/•·*#+=–—-]*$/u.test(text) ||
      (title !== undefined && normaliseForCompare(text) === title) ||
      isByline(text)
    ) {
      element.remove();
      continue;
    }
    if (isDateLine(text, options.timezone)) {
      stats.dateLines++;
      element.remove();
      continue;
    }
    if (isLinkList(block)) {
      if (text.split(" ").length >= 4) stats.teaserLinks++;
      element.remove();
      continue;
    }
    // A <br>-separated line of a paragraph can be a "Baca juga" link on its own.
    if (element.querySelector("br")) {
      dropLinesInside(element, options.dropLines, options.timezone);
      block.text = blockText(element);
    }
    kept.push(block);
  }
  return kept;
}

/**
 * A caption printed as a paragraph: it ends with a photo credit ("(Image: Getty)",
 * "(ANTARA FOTO/Budi)"), or it follows an image and ends with a parenthesised source.
 */
function isCaptionLine(element: DomElement, text: string): boolean {
  if (text.length > 600) return false;
  if (CAPTION_LINE_RE.test(text) || AGENCY_CREDIT_RE.test(text)) return true;
  if (!/\)\s*$/.test(text) || text.length > 400) return false;
  const previous = element.previousElementSibling;
  return (
    previous !== null && textOf(previous) === "" && previous.querySelector("img, picture") !== null
  );
}

/** A paragraph of running text: long enough, mostly not links. */
function isProse(block: Block): boolean {
  return (
    !block.heading &&
    block.text.length >= 80 &&
    /[.!?…"”'’)]$/.test(block.text) &&
    linkDensity(block.element) < 0.5
  );
}

/** "You May Also Like..." as "you may also like". */
function normaliseLabel(text: string): string {
  return text
    .toLowerCase()
    .replace(/[\s:.…»›>|-]+$/u, "")
    .replace(/^[\s:.…«‹<|-]+/u, "")
    .replace(/’/g, "'");
}

function normaliseForCompare(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

/** A short line naming the author or giving the publication time. */
function isByline(text: string): boolean {
  if (AGENCY_LINE_RE.test(text)) return true;
  if (text.length > 120 || !BYLINE_RE.test(text)) return false;
  // "Updated at 1:23 p.m." is short; a sentence that starts with "By" is long and ends in a stop.
  return text.length < 50 || !/[.!?]["”’]?$/.test(text);
}

/** "2 menit lalu", "5 hours ago": the relative times of listings. */
const RELATIVE_TIME_RE =
  /^(?:\d+|an?|one)\s+(?:detik|menit|jam|hari|minggu|bulan|tahun|seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)\s+(?:yang\s+)?(?:lalu|kemudian|ago)$/i;

/** A line that is only a date or a time, perhaps with a separator or a place. */
function isDateLine(text: string, timezone: string): boolean {
  if (text.length > 60 || !/\d/.test(text)) return false;
  if (RELATIVE_TIME_RE.test(text)) return true;
  const found = findNewsDate(text, timezone);
  return found !== undefined && found.text.length >= text.length * 0.6;
}

/** A block that is mostly links: related stories, tags, navigation. */
function isLinkList(block: Block): boolean {
  const { element, text } = block;
  const density = linkDensity(element);
  if (density === 0) return false;
  const tag = tagOf(element);
  // A list item of links ("Afghan woman politician sees Taliban talks as only hope").
  const sentence = text.length >= 150 && /[.!?]["”’]?$/.test(text);
  if (tag === "li" || tag === "dt" || tag === "dd" || tag === "td")
    return density > 0.5 && !sentence;
  if (HEADING_TAGS.has(tag)) return density > 0.9;
  // A paragraph that is one link is a teaser; a sentence with a link inside is prose.
  return density > 0.8 && !sentence;
}

function linkDensity(element: DomElement): number {
  const total = textOf(element).length;
  if (total === 0) return 0;
  let linked = 0;
  for (const link of Array.from(element.querySelectorAll("a"))) linked += textOf(link).length;
  if (tagOf(element) === "a") linked = total;
  return Math.min(1, linked / total);
}

/** Removes the <br>-separated lines of a block that are boilerplate, bylines or dates. */
function dropLinesInside(element: DomElement, patterns: readonly RegExp[], timezone: string): void {
  let line: DomNode[] = [];
  const check = (separator: DomNode | null) => {
    const text = squash(line.map((node) => node.textContent ?? "").join(""));
    if (
      text !== "" &&
      (patterns.some((pattern) => pattern.test(text)) ||
        isByline(text) ||
        isDateLine(text, timezone))
    ) {
      for (const node of line) node.remove();
      separator?.remove();
    }
    line = [];
  };
  for (let child = element.firstChild; child; ) {
    const next = child.nextSibling;
    if (isElement(child) && tagOf(child) === "br") check(child);
    else line.push(child);
    child = next;
  }
  check(null);
}

function isCaption(element: DomElement): boolean {
  return element.closest(`figcaption, [${CAPTION_MARK}]`) !== null;
}

/** Removes elements left without text or media by the cleaning. */
function removeEmpty(root: DomElement): void {
  const candidates: DomElement[] = [];
  walkElements(root, (element) => {
    if (BLOCK_TAGS.has(tagOf(element)) || tagOf(element) === "span") candidates.push(element);
    return undefined;
  });
  // Innermost first, so that a parent emptied by its children's removal goes too.
  for (const element of candidates.reverse()) {
    if (textOf(element) !== "") continue;
    if (element.querySelector("img, picture, video, iframe, audio, hr")) continue;
    if (tagOf(element) === "hr") continue;
    element.remove();
  }
}

/** The text of a block, a <br> as a line break inside it, a row's cells apart. */
function blockText(element: DomElement): string {
  if (tagOf(element) === "tr") {
    return cellsOf(element)
      .map((cell) => textOf(cell))
      .filter((text) => text !== "")
      .join(" ");
  }
  if (!element.querySelector("br")) return textOf(element);
  const lines: string[] = [];
  let line = "";
  walkText(element, (node) => {
    if (isElement(node) && tagOf(node) === "br") {
      lines.push(line);
      line = "";
    } else if (node.nodeType === TEXT_NODE) {
      line += node.textContent ?? "";
    }
  });
  lines.push(line);
  return lines
    .map((text) => squash(text))
    .filter((text) => text !== "")
    .join("\n");
}

function walkText(root: DomNode, visit: (node: DomNode) => void): void {
  let node: DomNode | null = root.firstChild;
  while (node && node !== root) {
    visit(node);
    if (node.firstChild) {
      node = node.firstChild;
      continue;
    }
    while (node && node !== root && !node.nextSibling) node = node.parentNode;
    node = node && node !== root ? node.nextSibling : null;
  }
}
