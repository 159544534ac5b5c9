import { spawnSync } from "node:child_process";
import path from "node:path";
import { XMLParser, XMLValidator } from "fast-xml-parser";

/** The RELAX NG grammar of RFC 4287 (its Appendix B), committed with the tests. */
export const ATOM_SCHEMA = path.resolve(import.meta.dirname, "../fixtures/schemas/atom.rnc");

/**
 * Validates Atom documents against the RFC 4287 grammar with jing (Debian: jing, and Java from
 * default-jre-headless), in one run. Throws with jing's complaints when one is invalid, and
 * says what to install when jing cannot run. `jing` exists to test that.
 */
export function validateAtomWithJing(files: readonly string[], jing = "jing"): void {
  if (files.length === 0) throw new Error("no Atom documents to validate");
  const run = spawnSync(jing, ["-c", ATOM_SCHEMA, ...files], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.error) {
    throw new Error(
      `cannot run ${jing} (${run.error.message}): install it with \`apt-get install jing default-jre-headless\``,
    );
  }
  // jing reports invalid documents on stdout, exit status 1; its launcher's warnings about
  // optional jars go to stderr and mean nothing.
  if (run.status !== 0) {
    const complaints = `${run.stdout}`.trim();
    if (complaints === "") {
      throw new Error(`jing failed without a report (status ${run.status}): ${run.stderr}`);
    }
    throw new Error(`jing found Atom documents invalid against RFC 4287:\n${complaints}`);
  }
}

// ---------------------------------------------------------------------------------------------
// The checks the W3C feed validator (validator.w3.org/feed) makes that apply to what warta
// writes, each problem named after the validator's message class.

type Node = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@_",
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: false,
  preserveOrder: true,
});

/** An element read with its attributes and children in document order. */
interface Element {
  name: string;
  attributes: Record<string, string>;
  children: Element[];
  text: string;
}

function toElements(nodes: unknown[]): Element[] {
  const elements: Element[] = [];
  for (const raw of nodes) {
    const node = raw as Node;
    const name = Object.keys(node).find((key) => key !== ":@");
    if (name === undefined || name === "#text" || name.startsWith("?")) continue;
    const content = (node[name] as unknown[]) ?? [];
    const attributes: Record<string, string> = {};
    for (const [key, value] of Object.entries((node[":@"] as Node) ?? {})) {
      attributes[key.slice(2)] = String(value);
    }
    const text = content
      .map((child) => {
        const c = child as Node;
        if ("#text" in c) return String(c["#text"]);
        if ("__cdata" in c) {
          return (c.__cdata as Node[]).map((part) => String(part["#text"] ?? "")).join("");
        }
        return "";
      })
      .join("");
    elements.push({ name, attributes, children: toElements(content), text });
  }
  return elements;
}

/** Parses a well-formed XML document into elements (throws a SAXError-style message if not). */
export function readXml(xml: string): Element {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new Error(`SAXError: ${JSON.stringify(valid.err)}`);
  const parsed = parser.parse(xml) as unknown[];
  const root = toElements(parsed)[0];
  if (!root) throw new Error("SAXError: no root element");
  return root;
}

const children = (element: Element, name: string) =>
  element.children.filter((child) => child.name === name);
const child = (element: Element, name: string) => children(element, name)[0];

// RFC 822 as the RSS profile wants it: a day name, a four-digit year, seconds, and GMT or an offset.
const RFC822 =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), (0[1-9]|[12]\d|3[01]) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} ([01]\d|2[0-3]):[0-5]\d:[0-5]\d (GMT|[+-]\d{4})$/;
const RFC3339 =
  /^\d{4}-(0[1-9]|1[0-2])-([0-2]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
// RFC 4151: tag:authority,date:specific, the date being YYYY, YYYY-MM or YYYY-MM-DD.
const TAG_URI = /^tag:[a-z0-9.-]+(@[a-z0-9.-]+)?,\d{4}(-\d{2}(-\d{2})?)?:[\x21-\x7e]*$/;
const MIME = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/;
const LANGUAGE = /^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for them is the point
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
// Markup the validator reports as a SecurityRisk inside HTML content.
const DANGEROUS_HTML =
  /<\s*(script|meta|iframe|object|embed|applet|link|style|form|frame|frameset)\b|\son[a-z]+\s*=|javascript:/i;

function isAbsoluteHttp(value: string | undefined): boolean {
  if (value === undefined || value !== value.trim() || value === "") return false;
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

function isPlausibleDate(text: string): boolean {
  const time = Date.parse(text);
  // The validator flags dates far in the past or future as implausible.
  return Number.isFinite(time) && time >= Date.UTC(1970, 0, 1) && time < Date.UTC(2100, 0, 1);
}

function commonProblems(xml: string): string[] {
  const problems: string[] = [];
  if (CONTROL.test(xml)) problems.push("InvalidCharacter: a control character in the document");
  if (!xml.startsWith('<?xml version="1.0" encoding="utf-8"?>')) {
    problems.push("MissingEncoding: no UTF-8 XML declaration");
  }
  return problems;
}

/** Every namespace prefix used on an element or attribute must be declared on the root. */
function undeclaredPrefixes(root: Element): string[] {
  const declared = new Set(
    Object.keys(root.attributes)
      .filter((key) => key.startsWith("xmlns:"))
      .map((key) => key.slice(6)),
  );
  declared.add("xml");
  const problems = new Set<string>();
  const visit = (element: Element) => {
    const names = [element.name, ...Object.keys(element.attributes)];
    for (const name of names) {
      const prefix = name.includes(":") ? name.split(":")[0] : undefined;
      if (prefix && prefix !== "xmlns" && !declared.has(prefix)) {
        problems.add(`SAXError: namespace prefix ${prefix} is not declared`);
      }
    }
    element.children.forEach(visit);
  };
  visit(root);
  return [...problems];
}

const RSS_ITEM_ELEMENTS = new Set([
  "title",
  "link",
  "description",
  "author",
  "category",
  "comments",
  "enclosure",
  "guid",
  "pubDate",
  "source",
]);
const RSS_CHANNEL_SINGLETONS = [
  "title",
  "link",
  "description",
  "language",
  "copyright",
  "lastBuildDate",
  "pubDate",
  "docs",
  "generator",
  "ttl",
];
const ATOM_LINK_RELS_IN_RSS = new Set(["self", "hub", "current", "prev-archive", "next-archive"]);
const MEDIA_MEDIUMS = new Set(["image", "audio", "video", "document", "executable"]);

/**
 * Checks an RSS 2.0 document as the W3C feed validator would, for what warta writes: dates in
 * RFC 822, absolute URLs, guids unique and not permalinks when tag URIs, a language, atom:link
 * rel="self" with the document's own URL, enclosures with url, length > 0 and type, no
 * control characters, no undeclared prefixes, no unknown core elements, escaped HTML without
 * script. Returns the problems found (none for a valid feed).
 */
export function checkRss(xml: string, selfUrl: string): string[] {
  const problems = commonProblems(xml);
  const rss = readXml(xml);
  if (rss.name !== "rss" || rss.attributes.version !== "2.0") return ["InvalidRSSVersion"];
  problems.push(...undeclaredPrefixes(rss));
  const channels = children(rss, "channel");
  const channel = channels[0];
  if (channels.length !== 1 || !channel) return [...problems, "MissingElement: channel"];
  for (const name of RSS_CHANNEL_SINGLETONS) {
    if (children(channel, name).length > 1) problems.push(`DuplicateElement: channel ${name}`);
  }
  for (const name of ["title", "link", "description"]) {
    if (!child(channel, name)?.text.trim()) problems.push(`MissingElement: channel ${name}`);
  }
  if (!isAbsoluteHttp(child(channel, "link")?.text)) problems.push("InvalidLink: channel link");
  const language = child(channel, "language")?.text;
  if (!language) problems.push("MissingDCLanguage: channel language");
  else if (!LANGUAGE.test(language)) problems.push(`InvalidLanguage: ${language}`);
  for (const name of ["lastBuildDate", "pubDate"]) {
    const date = child(channel, name)?.text;
    if (date !== undefined && (!RFC822.test(date) || !isPlausibleDate(date))) {
      problems.push(`InvalidRFC2822Date: channel ${name} "${date}"`);
    }
  }
  const atomLinks = children(channel, "atom:link");
  const selfLinks = atomLinks.filter((link) => link.attributes.rel === "self");
  if (selfLinks.length !== 1) problems.push(`MissingAtomSelfLink: ${selfLinks.length} found`);
  for (const link of selfLinks) {
    if (link.attributes.type !== "application/rss+xml") {
      problems.push(`InvalidAtomLinkType: self link type "${link.attributes.type}"`);
    }
    if (link.attributes.href !== selfUrl) {
      problems.push(`SelfDoesntMatchLocation: ${link.attributes.href} is not ${selfUrl}`);
    }
  }
  for (const link of atomLinks) {
    if (!ATOM_LINK_RELS_IN_RSS.has(link.attributes.rel ?? "")) {
      problems.push(`UnknownAtomLinkRel: ${link.attributes.rel}`);
    }
    if (!isAbsoluteHttp(link.attributes.href)) {
      problems.push(`InvalidFullLink: atom:link ${link.attributes.href}`);
    }
  }
  const guids = new Set<string>();
  for (const item of children(channel, "item")) {
    const where = `item ${child(item, "guid")?.text ?? child(item, "title")?.text ?? "?"}`;
    for (const element of item.children) {
      if (!element.name.includes(":") && !RSS_ITEM_ELEMENTS.has(element.name)) {
        problems.push(`UndefinedElement: ${where} ${element.name}`);
      }
    }
    for (const name of ["title", "link", "description", "guid", "pubDate", "enclosure"]) {
      if (children(item, name).length > 1) problems.push(`DuplicateElement: ${where} ${name}`);
    }
    if (!child(item, "title") && !child(item, "description")) {
      problems.push(`ItemMustContainTitleOrDescription: ${where}`);
    }
    if (!isAbsoluteHttp(child(item, "link")?.text)) problems.push(`InvalidLink: ${where} link`);
    const guid = child(item, "guid");
    if (!guid) problems.push(`MissingGuid: ${where}`);
    else {
      if (guids.has(guid.text)) problems.push(`DuplicateItemGuid: ${guid.text}`);
      guids.add(guid.text);
      const permalink = guid.attributes.isPermaLink !== "false";
      if (guid.text.startsWith("tag:")) {
        if (permalink) problems.push(`InvalidPermalink: ${guid.text}`);
        if (!TAG_URI.test(guid.text)) problems.push(`InvalidTAG: ${guid.text}`);
      } else if (permalink && !isAbsoluteHttp(guid.text)) {
        problems.push(`InvalidPermalink: ${guid.text}`);
      }
    }
    const date = child(item, "pubDate")?.text;
    if (date === undefined) problems.push(`MissingElement: ${where} pubDate`);
    else if (!RFC822.test(date) || !isPlausibleDate(date)) {
      problems.push(`InvalidRFC2822Date: ${where} pubDate "${date}"`);
    }
    const names = item.children.map((element) => element.name);
    const content = names.indexOf("content:encoded");
    if (content >= 0 && names.indexOf("description") > content) {
      problems.push(`NeedDescriptionBeforeContent: ${where}`);
    }
    for (const name of ["description", "content:encoded"]) {
      const html = child(item, name)?.text ?? "";
      if (DANGEROUS_HTML.test(html)) problems.push(`SecurityRisk: ${where} ${name}`);
    }
    const author = child(item, "author")?.text;
    if (author !== undefined && !/^\S+@\S+(\s+\(.*\))?$/.test(author)) {
      problems.push(`InvalidContact: ${where} author "${author}" is not an e-mail address`);
    }
    for (const enclosure of children(item, "enclosure")) {
      const { url, length, type } = enclosure.attributes;
      if (!isAbsoluteHttp(url)) problems.push(`InvalidURLAttribute: ${where} enclosure url`);
      if (length === undefined) problems.push(`MissingAttribute: ${where} enclosure length`);
      else if (!/^\d+$/.test(length) || Number(length) <= 0) {
        problems.push(`InvalidIntegerAttribute: ${where} enclosure length "${length}"`);
      }
      if (type === undefined || !MIME.test(type)) {
        problems.push(`InvalidMIMEAttribute: ${where} enclosure type "${type}"`);
      }
    }
    for (const media of children(item, "media:content")) {
      const { url, type, medium, fileSize } = media.attributes;
      if (!isAbsoluteHttp(url)) problems.push(`InvalidURLAttribute: ${where} media:content url`);
      if (type !== undefined && !MIME.test(type)) {
        problems.push(`InvalidMIMEAttribute: ${where} media:content type "${type}"`);
      }
      if (medium !== undefined && !MEDIA_MEDIUMS.has(medium)) {
        problems.push(`InvalidMediaMedium: ${where} "${medium}"`);
      }
      if (fileSize !== undefined && !/^[1-9]\d*$/.test(fileSize)) {
        problems.push(`InvalidIntegerAttribute: ${where} media:content fileSize "${fileSize}"`);
      }
    }
  }
  return problems;
}

/**
 * Checks an Atom 1.0 document for what the grammar cannot: RFC 3339 dates, absolute links, the
 * document's own URL as rel="self", unique entry ids (tag URIs well formed), a language, one
 * alternate link per type, and RFC 4287's rules outside its grammar: an author on the feed or
 * on every entry, and an alternate link or content in every entry.
 */
export function checkAtom(xml: string, selfUrl: string): string[] {
  const problems = commonProblems(xml);
  const feed = readXml(xml);
  if (feed.name !== "feed" || feed.attributes.xmlns !== "http://www.w3.org/2005/Atom") {
    return ["InvalidNamespace: not an Atom 1.0 feed"];
  }
  problems.push(...undeclaredPrefixes(feed));
  const language = feed.attributes["xml:lang"];
  if (!language || !LANGUAGE.test(language))
    problems.push(`MissingLanguage: xml:lang "${language}"`);
  const checkDate = (element: Element, name: string, where: string, required: boolean) => {
    const date = child(element, name)?.text;
    if (date === undefined) {
      if (required) problems.push(`MissingElement: ${where} ${name}`);
    } else if (!RFC3339.test(date) || !isPlausibleDate(date)) {
      problems.push(`InvalidRFC3339Date: ${where} ${name} "${date}"`);
    }
  };
  const checkLinks = (element: Element, where: string) => {
    const alternates = new Set<string>();
    for (const link of children(element, "link")) {
      const rel = link.attributes.rel ?? "alternate";
      if (!isAbsoluteHttp(link.attributes.href)) {
        problems.push(`InvalidFullLink: ${where} link ${rel} "${link.attributes.href}"`);
      }
      if (link.attributes.type !== undefined && !MIME.test(link.attributes.type)) {
        problems.push(`InvalidMIMEType: ${where} link ${rel}`);
      }
      if (link.attributes.length !== undefined && !/^[1-9]\d*$/.test(link.attributes.length)) {
        problems.push(`InvalidIntegerAttribute: ${where} link length "${link.attributes.length}"`);
      }
      if (rel === "alternate") {
        const key = `${link.attributes.type ?? ""} ${link.attributes.hreflang ?? ""}`;
        if (alternates.has(key)) problems.push(`DuplicateAtomLink: ${where} alternate ${key}`);
        alternates.add(key);
      }
    }
  };
  checkDate(feed, "updated", "feed", true);
  checkLinks(feed, "feed");
  const self = children(feed, "link").filter((link) => link.attributes.rel === "self");
  if (self.length !== 1) problems.push(`MissingSelf: ${self.length} self links`);
  else if (self[0]?.attributes.href !== selfUrl) {
    problems.push(`SelfDoesntMatchLocation: ${self[0]?.attributes.href} is not ${selfUrl}`);
  }
  const feedHasAuthor = children(feed, "author").some((a) => child(a, "name")?.text.trim());
  const ids = new Set<string>();
  const checkId = (value: string | undefined, where: string) => {
    if (value === undefined || value === "") return problems.push(`MissingElement: ${where} id`);
    if (/\s/.test(value)) problems.push(`UnexpectedWhitespace: ${where} id`);
    if (value.startsWith("tag:") && !TAG_URI.test(value)) problems.push(`InvalidTAG: ${value}`);
    else if (!/^[a-z][a-z0-9+.-]*:\S+$/i.test(value)) {
      problems.push(`InvalidURI: ${where} id "${value}"`);
    }
  };
  checkId(child(feed, "id")?.text, "feed");
  for (const entry of children(feed, "entry")) {
    const id = child(entry, "id")?.text;
    const where = `entry ${id ?? "?"}`;
    checkId(id, "entry");
    if (id !== undefined) {
      if (ids.has(id)) problems.push(`DuplicateIds: ${id}`);
      ids.add(id);
    }
    checkDate(entry, "updated", where, true);
    checkDate(entry, "published", where, false);
    checkLinks(entry, where);
    const hasAlternate = children(entry, "link").some(
      (link) => (link.attributes.rel ?? "alternate") === "alternate",
    );
    if (!hasAlternate && !child(entry, "content")) {
      problems.push(`MissingAlternateOrContent: ${where}`);
    }
    if (!feedHasAuthor && !children(entry, "author").some((a) => child(a, "name")?.text.trim())) {
      problems.push(`MissingAuthor: ${where}`);
    }
    for (const name of ["title", "summary", "content"]) {
      const element = child(entry, name);
      if (!element) continue;
      const type = element.attributes.type ?? "text";
      if (!["text", "html", "xhtml"].includes(type))
        problems.push(`InvalidTextType: ${where} ${name}`);
      if (type === "html" && DANGEROUS_HTML.test(element.text)) {
        problems.push(`SecurityRisk: ${where} ${name}`);
      }
    }
  }
  return problems;
}

/** Checks a JSON Feed 1.1 document: version, its own feed_url, unique ids, absolute URLs, RFC 3339 dates. */
export function checkJsonFeed(text: string, selfUrl: string): string[] {
  const problems: string[] = [];
  if (CONTROL.test(text)) problems.push("InvalidCharacter: a control character in the document");
  const feed = JSON.parse(text) as Record<string, unknown>;
  if (feed.version !== "https://jsonfeed.org/version/1.1") problems.push("InvalidVersion");
  if (typeof feed.title !== "string" || feed.title === "") problems.push("MissingTitle");
  if (feed.feed_url !== selfUrl) problems.push(`SelfDoesntMatchLocation: ${feed.feed_url}`);
  if (!isAbsoluteHttp(feed.home_page_url as string)) problems.push("InvalidLink: home_page_url");
  if (typeof feed.language !== "string" || !LANGUAGE.test(feed.language)) {
    problems.push("MissingLanguage");
  }
  const ids = new Set<string>();
  for (const raw of (feed.items as Record<string, unknown>[]) ?? []) {
    const id = String(raw.id);
    if (ids.has(id)) problems.push(`DuplicateIds: ${id}`);
    ids.add(id);
    if (!isAbsoluteHttp(raw.url as string)) problems.push(`InvalidLink: item ${id} url`);
    if (raw.content_html === undefined && raw.content_text === undefined) {
      problems.push(`MissingContent: item ${id}`);
    }
    for (const name of ["date_published", "date_modified"]) {
      const date = raw[name];
      if (date !== undefined && (typeof date !== "string" || !RFC3339.test(date))) {
        problems.push(`InvalidRFC3339Date: item ${id} ${name}`);
      }
    }
    if (raw.image !== undefined && !isAbsoluteHttp(raw.image as string)) {
      problems.push(`InvalidLink: item ${id} image`);
    }
  }
  return problems;
}
