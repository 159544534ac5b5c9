import { isUtf8 } from "node:buffer";
import type { ArticleImage, FeedEntry, FeedFormat, ParsedFeed } from "../../domain/index.js";
import { AppError } from "../../shared/errors.js";
import { parseFeedDate } from "./dates.js";
import {
  resolveHtmlUrls,
  resolveUrl,
  textToHtml,
  toPlainText,
  undoDoubleEscaping,
} from "./html.js";
import {
  childElement,
  childElements,
  elementChildren,
  innerHtml,
  type RootInfo,
  streamXml,
  textContent,
  type XmlElement,
} from "./xml-tree.js";

/** What mapping needs besides the document. */
export interface FeedContext {
  /** The feed's URL: base of relative links and name in error messages. */
  url: string;
  timezone: string;
  /** The encoding the document was decoded with (decodeXml), if known. */
  encoding?: string;
}

type Family = "rss" | "atom";

const ATOM_03 = "http://purl.org/atom/ns#";
const RSS_090 = "http://my.netscape.com/rdf/simple/0.9/";

/** A general entity whose value refers to another entity: the "billion laughs" pattern. */
const ENTITY_DECLARATION_RE = /<!ENTITY\s+(%\s+)?([^\s"'>]+)\s+(?:"([^"]*)"|'([^']*)')/g;
const ENTITY_REFERENCE_RE = /&[A-Za-z_:][\w.:-]*;/;

/** Windows-1252's characters for the C1 range 0x80-0x9F (unassigned ones kept). */
const WINDOWS_1252_C1 = "€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ";

const IMAGE_EXTENSION_RE = /\.(?:jpe?g|png|gif|webp|avif|svg)(?:[?#]|$)/i;

/**
 * Parses an RSS 0.9x/1.0/2.0 or Atom 0.3/1.0 document. Entries are mapped one by one as the
 * document streams, so only one entry's elements are in memory at a time.
 */
export function parseXmlFeed(text: string, context: FeedContext): ParsedFeed {
  let format: FeedFormat | undefined;
  let family = "rss" as Family;
  const entries: FeedEntry[] = [];

  const result = streamXml(text, {
    onDoctype: (doctype, line) => refuseEntityExpansion(doctype, context.url, line),
    onRoot: (root, info) => {
      format = detectFormat(root, info, context.url);
      family = format.startsWith("atom") ? "atom" : "rss";
      return family === "atom" ? "atom" : "";
    },
    isEntry: (element, parent) => {
      if (family === "atom") return element.key === "atom:entry" && parent.key !== "atom:source";
      return (
        element.key === "item" &&
        (parent.key === "channel" || parent.key === "item" || parent.key === "rss" || isRdf(parent))
      );
    },
    onEntry: (element) => {
      const entry =
        family === "atom"
          ? mapAtomEntry(element, format ?? "atom10", context)
          : mapRssItem(element, context);
      entries.push(cleanEntry(entry, context));
    },
  });

  const root = result.root;
  if (!root || !format) {
    if (isBlankDocument(text)) {
      throw new AppError("PARSE_FEED", `feed: ${context.url}: empty document (no root element)`);
    }
    throw unknownFormat(context.url, "no root element");
  }
  if (result.unclosedEntry) {
    const entry = result.unclosedEntry;
    throw new AppError(
      "PARSE_FEED",
      `feed: ${context.url}: not well-formed XML: the document ends at line ${result.lastLine} inside <${entry.name}> opened at line ${entry.line} (truncated?)`,
    );
  }
  const feed =
    family === "atom"
      ? finishAtomFeed(root, format, entries, context)
      : finishRssFeed(root, format, entries, context);
  feed.title = cleanText(feed.title, context);
  return feed;
}

/** Applies cleanText to every text of an entry. */
function cleanEntry(entry: FeedEntry, context: FeedContext): FeedEntry {
  entry.title = cleanText(entry.title, context);
  if (entry.contentHtml) entry.contentHtml = cleanText(entry.contentHtml, context);
  if (entry.summaryHtml) entry.summaryHtml = cleanText(entry.summaryHtml, context);
  if (entry.author) entry.author = cleanText(entry.author, context);
  entry.categories = entry.categories.map((c) => cleanText(c, context));
  return entry;
}

/**
 * Repairs two classic publisher mistakes in a value: UTF-8 that was read as Latin-1 and
 * encoded again ("â€¦" for "…"), undone like feedparser does, only in a UTF-8 document and
 * only when the whole value round-trips; and C1 control characters (from "&#146;"), which
 * stand for windows-1252's punctuation, as HTML5 reads them.
 */
function cleanText(value: string, context: FeedContext): string {
  let text = value;
  if (
    context.encoding === "utf-8" &&
    /[\u00c2-\u00f4][\u0080-\u00bf]/.test(text) &&
    !/[\u0100-\uffff]/.test(text)
  ) {
    const bytes = Buffer.from(text, "latin1");
    if (isUtf8(bytes)) text = bytes.toString("utf8");
  }
  if (/[\u0080-\u009f]/.test(text)) {
    text = text.replace(/[\u0080-\u009f]/g, (c) => WINDOWS_1252_C1[c.charCodeAt(0) - 0x80]!);
  }
  return text;
}

/** The error for a document that is not a feed. */
export function unknownFormat(url: string, what: string): AppError {
  return new AppError("PARSE_UNKNOWN_FORMAT", `feed: ${url}: not RSS, Atom or JSON Feed (${what})`);
}

function detectFormat(root: XmlElement, info: RootInfo, url: string): FeedFormat {
  const declared = info.declared.map((uri) => uri.trim());
  if (root.name === "rss" && (root.ns === "" || info.uri !== "")) {
    const version = root.attrs.version?.trim() ?? "";
    if (version === "0.90" || version === "0.9") return "rss090";
    if (version === "0.91") return "rss091";
    if (/^0\.9\d$/.test(version)) return "rss092";
    return "rss20";
  }
  if (isRdf(root)) {
    return info.uri === RSS_090 || declared.includes(RSS_090) ? "rss090" : "rss10";
  }
  if (root.name === "feed" && (root.ns === "atom" || info.uri === "")) {
    if (info.uri === ATOM_03 || (info.uri === "" && /^0\.[1-3]$/.test(root.attrs.version ?? ""))) {
      return "atom03";
    }
    return "atom10";
  }
  throw unknownFormat(url, `root element <${info.qualifiedName}>`);
}

function isRdf(element: XmlElement): boolean {
  return element.key === "rdf:rdf";
}

function refuseEntityExpansion(doctype: string, url: string, line: number): void {
  // sax never expands DTD entities (a reference stays as literal text), so no declaration can
  // blow up memory. Nested declarations are refused anyway, with one clear error, because no
  // honest feed needs them and the document would not read as its author meant.
  for (const m of doctype.matchAll(ENTITY_DECLARATION_RE)) {
    if (m[1]) continue;
    const value = m[3] ?? m[4] ?? "";
    if (ENTITY_REFERENCE_RE.test(value)) {
      throw new AppError(
        "PARSE_ENTITY_EXPANSION",
        `feed: ${url}: line ${line}: the DOCTYPE defines entity "${m[2]}" in terms of other entities (an entity-expansion "billion laughs" attack?); the document is refused`,
      );
    }
  }
}

function isBlankDocument(text: string): boolean {
  return (
    text
      .replace(/<!--[\s\S]*?(?:-->|$)/g, "")
      .replace(/<\?[\s\S]*?(?:\?>|$)/g, "")
      .replace(/<!DOCTYPE[^>]*>/gi, "")
      .trim() === ""
  );
}

// ---------------------------------------------------------------------------------------
// RSS 0.90, 0.91, 0.92, 1.0 (RDF) and 2.0

function finishRssFeed(
  root: XmlElement,
  format: FeedFormat,
  entries: FeedEntry[],
  context: FeedContext,
): ParsedFeed {
  const channel = childElement(root, "channel") ?? root;
  const titleElement = childElement(channel, "title");
  const feed: ParsedFeed = {
    format,
    title: titleElement ? toPlainText(textContent(titleElement), "guess") : "",
    entries,
  };
  const link = linkValue(childElement(channel, "link"), context) ?? atomAlternate(channel, context);
  if (link) feed.link = link;
  const language = normalizeLanguage(
    firstText(channel, "language", "dc:language") ?? channel.lang ?? root.lang,
  );
  if (language) feed.language = language;
  return feed;
}

function mapRssItem(item: XmlElement, context: FeedContext): FeedEntry {
  const guidElement = childElement(item, "guid");
  const guid = trimmed(guidElement && textContent(guidElement)) ?? trimmed(item.attrs["rdf:about"]);
  const permalink =
    guidElement && guidElement.attrs.ispermalink?.trim().toLowerCase() !== "false" && guid
      ? /^https?:\/\//i.test(guid)
        ? resolveUrl(guid, undefined)
        : undefined
      : undefined;
  const url =
    // FeedBurner's original link is the article itself; <link> is a redirect through FeedBurner.
    linkValue(childElement(item, "feedburner:origlink"), context) ??
    linkValue(childElement(item, "link"), context) ??
    atomAlternate(item, context) ??
    permalink ??
    resolveUrl(item.attrs["rdf:about"], item.base ?? context.url);

  const entry: FeedEntry = {
    title: toPlainText(firstRawText(item, "title", "dc:title") ?? "", "guess"),
    categories: categoriesOf(item),
  };
  if (guid) entry.guid = guid;
  if (url) entry.url = url;
  const contentBase = (element: XmlElement) => element.base ?? url ?? context.url;
  const content =
    childElement(item, "content:encoded") ??
    childElement(item, "xhtml:body") ??
    // Inline XHTML without its namespace, and Radio UserLand's full text.
    childElement(item, "body") ??
    childElement(item, "fullitem") ??
    childElement(item, "atom:content");
  const contentHtml = content && htmlField(content, rssHtml(content), contentBase(content));
  if (contentHtml) entry.contentHtml = contentHtml;
  const summary =
    childElement(item, "description") ??
    childElement(item, "dc:description") ??
    childElement(item, "atom:summary");
  let summaryHtml = summary && htmlField(summary, rssHtml(summary), contentBase(summary));
  if (!summaryHtml) {
    const podcast = firstText(item, "itunes:summary", "itunes:subtitle");
    if (podcast) summaryHtml = textToHtml(podcast);
  }
  if (summaryHtml) entry.summaryHtml = summaryHtml;

  const published = dateOf(
    item,
    context,
    "pubdate",
    "dc:date",
    "dcterms:issued",
    "dcterms:created",
    "atom:published",
  );
  if (published) entry.published = published;
  const updated = dateOf(item, context, "dcterms:modified", "atom:updated");
  if (updated) entry.updated = updated;
  const author = rssAuthor(item);
  if (author) entry.author = author;
  const image = imageOf(item, context);
  if (image) entry.image = image;
  const language = normalizeLanguage(item.lang ?? firstText(item, "dc:language"));
  if (language) entry.language = language;
  return entry;
}

/** The HTML of an RSS element: escaped or CDATA markup, or inline XHTML elements. */
function rssHtml(element: XmlElement): string {
  return elementChildren(element).length > 0 ? innerHtml(element) : textContent(element);
}

function rssAuthor(item: XmlElement): string | undefined {
  const creators = childElements(item, "dc:creator")
    .map((e) => toPlainText(textContent(e), "guess"))
    .filter((name) => name !== "");
  if (creators.length > 0) return [...new Set(creators)].join(", ");
  const author = firstText(item, "author");
  if (author) return nameFromAddress(author);
  return firstText(item, "itunes:author") ?? atomPersonName(item);
}

/** "jo@example.com (Jo Doe)", "Jo Doe (jo@example.com)" and "Jo Doe <jo@example.com>" give "Jo Doe". */
function nameFromAddress(value: string): string {
  const inParentheses = /^\S+@\S+\s*\((.+)\)$/.exec(value);
  if (inParentheses) return inParentheses[1]!.trim();
  const addressInParentheses = /^(.+?)\s*\(\s*[^()@\s]+@[^()\s]+\s*\)$/.exec(value);
  if (addressInParentheses) return addressInParentheses[1]!.trim();
  const beforeAddress = /^(.+?)\s*<[^<>@\s]+@[^<>\s]+>$/.exec(value);
  if (beforeAddress) return beforeAddress[1]!.replace(/^"|"$/g, "").trim();
  return value;
}

// ---------------------------------------------------------------------------------------
// Atom 0.3 and 1.0

function finishAtomFeed(
  root: XmlElement,
  format: FeedFormat,
  entries: FeedEntry[],
  context: FeedContext,
): ParsedFeed {
  const titleElement = childElement(root, "atom:title");
  const feed: ParsedFeed = {
    format,
    title: titleElement ? atomPlainText(titleElement, format) : "",
    entries,
  };
  const link = atomAlternate(root, context);
  if (link) feed.link = link;
  const language = normalizeLanguage(root.lang ?? firstText(root, "dc:language"));
  if (language) feed.language = language;
  // An entry without an author has the feed's (RFC 4287, 4.2.1).
  const feedAuthor = atomPersonName(root);
  if (feedAuthor) {
    for (const entry of entries) entry.author ??= feedAuthor;
  }
  return feed;
}

function mapAtomEntry(element: XmlElement, format: FeedFormat, context: FeedContext): FeedEntry {
  const titleElement = childElement(element, "atom:title");
  const entry: FeedEntry = {
    title: titleElement ? atomPlainText(titleElement, format) : "",
    categories: categoriesOf(element),
  };
  const guid = firstText(element, "atom:id");
  if (guid) entry.guid = guid;
  const url =
    atomAlternate(element, context) ??
    linkValue(childElement(element, "feedburner:origlink"), context);
  if (url) entry.url = url;
  const contentBase = (e: XmlElement) => e.base ?? url ?? context.url;
  const content = childElement(element, "atom:content");
  const contentHtml = content && atomHtml(content, format, contentBase(content));
  if (contentHtml) entry.contentHtml = contentHtml;
  const summary = childElement(element, "atom:summary");
  const summaryHtml = summary && atomHtml(summary, format, contentBase(summary));
  if (summaryHtml) entry.summaryHtml = summaryHtml;
  const published = dateOf(
    element,
    context,
    "atom:published",
    "atom:issued",
    "atom:created",
    "dc:date",
    "dcterms:issued",
  );
  if (published) entry.published = published;
  const updated = dateOf(element, context, "atom:updated", "atom:modified", "dcterms:modified");
  if (updated) entry.updated = updated;
  const source = childElement(element, "atom:source");
  const author =
    atomPersonName(element) ??
    firstText(element, "dc:creator") ??
    (source && atomPersonName(source));
  if (author) entry.author = author;
  const image = imageOf(element, context);
  if (image) entry.image = image;
  const language = normalizeLanguage(element.lang ?? firstText(element, "dc:language"));
  if (language) entry.language = language;
  return entry;
}

/** How an Atom text construct or content is written. */
type AtomKind = "text" | "html" | "xhtml" | "other";

function atomKind(element: XmlElement, format: FeedFormat): AtomKind {
  const type = element.attrs.type?.trim().toLowerCase() ?? "";
  if (type === "") {
    // Atom 0.3 defaults to text/plain in "xml" mode, where inline elements are XHTML.
    return format === "atom03" && elementChildren(element).length > 0 ? "xhtml" : "text";
  }
  if (type === "text" || type === "text/plain") return "text";
  if (type === "html" || type === "text/html") return "html";
  if (type === "xhtml" || type === "application/xhtml+xml" || type.endsWith("+xml")) {
    return "xhtml";
  }
  return type.startsWith("text/") ? "text" : "other";
}

/** The value of an Atom text construct or content: HTML, or plain text. */
function atomValue(
  element: XmlElement,
  format: FeedFormat,
): { value: string; html: boolean } | undefined {
  // Out-of-line content (src="...") and non-text media types carry nothing to show.
  if (element.attrs.src !== undefined) return undefined;
  const kind = atomKind(element, format);
  if (kind === "other") {
    // Other media types are Base64 (RFC 4287, 4.1.3.3); only text is worth keeping.
    const decoded = Buffer.from(textContent(element).replace(/\s+/g, ""), "base64");
    const value = isUtf8(decoded) ? decoded.toString("utf8") : "";
    const isText = value.trim() !== "" && !/(?![\t\n\r\f\v\u007f-\u009f])\p{Cc}/u.test(value);
    return isText ? { value, html: false } : undefined;
  }
  if (element.attrs.mode?.trim().toLowerCase() === "base64") {
    const decoded = Buffer.from(textContent(element), "base64").toString("utf8");
    return { value: decoded, html: kind !== "text" };
  }
  if (kind === "xhtml" || elementChildren(element).length > 0) {
    return { value: innerHtml(unwrapXhtmlDiv(element)), html: true };
  }
  return { value: textContent(element), html: kind === "html" };
}

/** RFC 4287 wraps XHTML content in a <div> that is not part of it. */
function unwrapXhtmlDiv(element: XmlElement): XmlElement {
  const elements = elementChildren(element);
  const onlyDiv =
    elements.length === 1 &&
    elements[0]!.name === "div" &&
    element.children.every((c) => typeof c !== "string" || c.trim() === "");
  return onlyDiv ? elements[0]! : element;
}

function atomPlainText(element: XmlElement, format: FeedFormat): string {
  const value = atomValue(element, format);
  if (!value) return "";
  return toPlainText(value.value, value.html ? "html" : "text");
}

function atomHtml(element: XmlElement, format: FeedFormat, base: string): string | undefined {
  const value = atomValue(element, format);
  if (!value) return undefined;
  return htmlField(element, value.html ? value.value : textToHtml(value.value), base);
}

function atomPersonName(element: XmlElement): string | undefined {
  const names = childElements(element, "atom:author")
    .map((author) => firstText(author, "atom:name") ?? trimmed(textContent(author)))
    .filter((name): name is string => name !== undefined && name !== "");
  return names.length > 0 ? [...new Set(names)].join(", ") : undefined;
}

/** The alternate link of a feed or entry, HTML first. */
function atomAlternate(element: XmlElement, context: FeedContext): string | undefined {
  const alternates = childElements(element, "atom:link").filter(
    (link) => (link.attrs.rel?.trim().toLowerCase() || "alternate") === "alternate",
  );
  const html = alternates.find((link) => {
    const type = link.attrs.type?.trim().toLowerCase();
    return !type || type.includes("html");
  });
  const chosen = html ?? alternates[0];
  if (!chosen) return undefined;
  return resolveUrl(chosen.attrs.href ?? textContent(chosen), chosen.base ?? context.url);
}

// ---------------------------------------------------------------------------------------
// Shared

/** Cleans an HTML field: one level of double escaping undone, relative URLs resolved. */
function htmlField(element: XmlElement, html: string, base: string): string | undefined {
  const value = resolveHtmlUrls(undoDoubleEscaping(html), element.base ?? base).trim();
  return value === "" ? undefined : value;
}

function linkValue(element: XmlElement | undefined, context: FeedContext): string | undefined {
  if (!element) return undefined;
  // RSS links are text; some feeds write <link href="..."/> as in Atom.
  const value =
    trimmed(textContent(element)) ?? element.attrs.href ?? element.attrs["rdf:resource"];
  return resolveUrl(value, element.base ?? context.url);
}

function categoriesOf(element: XmlElement): string[] {
  const names: string[] = [];
  for (const child of childElements(element, "category", "dc:subject", "atom:category")) {
    const raw =
      child.key === "atom:category"
        ? (child.attrs.label ?? child.attrs.term ?? textContent(child))
        : textContent(child);
    const name = toPlainText(raw, "guess");
    if (name !== "") names.push(name);
  }
  return [...new Set(names)];
}

/** The date of the first of the keys present; of repeated elements the last one counts, as in feedparser. */
function dateOf(element: XmlElement, context: FeedContext, ...keys: string[]): Date | undefined {
  for (const key of keys) {
    const children = childElements(element, key);
    for (let i = children.length - 1; i >= 0; i--) {
      const date = parseFeedDate(textContent(children[i]!), context.timezone);
      if (date) return date;
    }
  }
  return undefined;
}

/**
 * The entry's image: the widest Media RSS image, then a Media RSS thumbnail, an image
 * enclosure (RSS or Atom), an iTunes episode image.
 */
function imageOf(entry: XmlElement, context: FeedContext): ArticleImage | undefined {
  const groups = childElements(entry, "media:group");
  const media = [entry, ...groups].flatMap((e) => childElements(e, "media:content"));
  const pictures = media.filter((m) => {
    const medium = m.attrs.medium?.trim().toLowerCase();
    const type = m.attrs.type?.trim().toLowerCase();
    if (medium) return medium === "image";
    if (type) return type.startsWith("image/");
    return IMAGE_EXTENSION_RE.test(m.attrs.url ?? "");
  });
  const picture = widest(pictures);
  if (picture) return mediaImage(picture, context);
  const thumbnails = [entry, ...groups, ...media].flatMap((e) =>
    childElements(e, "media:thumbnail"),
  );
  const thumbnail = widest(thumbnails);
  if (thumbnail) return mediaImage(thumbnail, context);

  const enclosures = [
    ...childElements(entry, "enclosure"),
    ...childElements(entry, "atom:link").filter(
      (l) => l.attrs.rel?.trim().toLowerCase() === "enclosure",
    ),
  ];
  for (const enclosure of enclosures) {
    const href = enclosure.attrs.url ?? enclosure.attrs.href;
    const type = enclosure.attrs.type?.trim().toLowerCase();
    if (type ? !type.startsWith("image/") : !IMAGE_EXTENSION_RE.test(href ?? "")) continue;
    const url = resolveUrl(href, enclosure.base ?? context.url);
    if (!url) continue;
    const image: ArticleImage = { url };
    if (type) image.type = type;
    const length = positiveInteger(enclosure.attrs.length);
    if (length) image.length = length;
    return image;
  }
  const itunes = childElement(entry, "itunes:image");
  const url =
    itunes && resolveUrl(itunes.attrs.href ?? textContent(itunes), itunes.base ?? context.url);
  return url ? { url } : undefined;
}

function widest(elements: XmlElement[]): XmlElement | undefined {
  const usable = elements.filter((e) => trimmed(e.attrs.url) !== undefined);
  let best = usable[0];
  for (const element of usable) {
    if ((positiveInteger(element.attrs.width) ?? 0) > (positiveInteger(best?.attrs.width) ?? 0)) {
      best = element;
    }
  }
  return best;
}

function mediaImage(element: XmlElement, context: FeedContext): ArticleImage | undefined {
  const url = resolveUrl(element.attrs.url, element.base ?? context.url);
  if (!url) return undefined;
  const image: ArticleImage = { url };
  const type = element.attrs.type?.trim().toLowerCase();
  if (type?.startsWith("image/")) image.type = type;
  const width = positiveInteger(element.attrs.width);
  if (width) image.width = width;
  const height = positiveInteger(element.attrs.height);
  if (height) image.height = height;
  const length = positiveInteger(element.attrs.filesize);
  if (length) image.length = length;
  const description = firstText(element, "media:description", "media:title");
  if (description && description.length <= 300) image.alt = toPlainText(description, "guess");
  return image;
}

function positiveInteger(value: string | undefined): number | undefined {
  const n = Number(value?.trim().replace(/px$/i, ""));
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/** The trimmed text of the first of the child elements that has some. */
function firstText(element: XmlElement, ...keys: string[]): string | undefined {
  for (const key of keys) {
    for (const child of childElements(element, key)) {
      const text = trimmed(textContent(child));
      if (text) return text;
    }
  }
  return undefined;
}

/** Like firstText, but keeps inline markup of the value (for titles with <b>, ...). */
function firstRawText(element: XmlElement, ...keys: string[]): string | undefined {
  for (const key of keys) {
    for (const child of childElements(element, key)) {
      const value = rssHtml(child);
      if (value.trim() !== "") return value;
    }
  }
  return undefined;
}

function trimmed(value: string | undefined): string | undefined {
  const text = value?.trim();
  return text ? text : undefined;
}

/** A BCP 47 tag in canonical case ("en-us" and "en_US" give "en-US"), or undefined. */
export function normalizeLanguage(value: string | undefined): string | undefined {
  const tag = value?.trim().replace(/_/g, "-");
  if (!tag) return undefined;
  try {
    return Intl.getCanonicalLocales(tag)[0];
  } catch {
    return undefined;
  }
}
