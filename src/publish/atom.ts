import { Feed, type Item } from "feed";
import type { FeedModel, ItemModel } from "./model.js";
import { escapeHtml, escapeXml } from "./text.js";
import { patchOnce, XmlSlots } from "./xml-slots.js";

const ATOM_TYPE = "application/atom+xml";
const HISTORY_NAMESPACE = "http://purl.org/syndication/history/1.0";

// Per-entry rewrites are collected and applied in one pass over the document each: a pattern
// per entry would rescan the whole document once per entry, which is quadratic on an archive.
// biome-ignore lint/suspicious/noControlCharactersInRegex: slot tokens are control characters
const ENTRY_TITLE = /<entry>(\s*<title type="html"><!\[CDATA\[(\u0001\d+\u0002))/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: slot tokens are control characters
const ENCLOSURE_ANCHOR = / title="(\u0003\d+\u0002)" type="[^"]*"/g;

/** Writes an Atom 1.0 document (RFC 4287) for the feed. */
export function renderAtom(model: FeedModel): string {
  const slots = new XmlSlots();
  const feed = new Feed({
    id: slots.text(model.atomId),
    title: slots.text(model.title),
    description: model.description ? slots.text(model.description) : undefined,
    link: model.homePage,
    // Always set: without it the library writes the current time.
    updated: model.updated,
    generator: "warta",
    copyright: model.copyright === undefined ? undefined : slots.text(model.copyright),
    // RFC 4287 wants an author on the feed unless every entry has one: fall back to the site.
    author: { name: slots.text(model.author ?? model.title) },
    feedLinks: { atom: model.selfUrls.atom },
  });
  const languages = new Map<string, string>();
  const enclosures = new Map<string, string>();
  for (const item of model.items) {
    feed.addItem(atomEntry(item, model, slots, languages, enclosures));
  }
  // The library ignores the language option in Atom: declare it with xml:lang on the root.
  const history = model.archive ? ` xmlns:fh="${HISTORY_NAMESPACE}"` : "";
  let xml = patchOnce(
    feed.atom1(),
    /<feed xmlns="http:\/\/www\.w3\.org\/2005\/Atom">/,
    () =>
      `<feed xmlns="http://www.w3.org/2005/Atom"${history} xml:lang="${escapeXml(model.language)}">`,
  );
  const extra = feedLinks(model);
  if (extra !== "") {
    xml = patchOnce(
      xml,
      /(\n?)(\s*)(<link rel="self" href="[^"]*"\/>)/,
      (_match, newline: string, indent: string, self: string) =>
        `${newline}${indent}${self}${extra.replace(/\n/g, `\n${indent}`)}`,
    );
  }
  if (languages.size > 0) {
    xml = xml.replace(ENTRY_TITLE, (match, rest: string, token: string) => {
      const language = languages.get(token);
      return language === undefined ? match : `<entry xml:lang="${escapeXml(language)}">${rest}`;
    });
  }
  if (enclosures.size > 0) {
    xml = xml.replace(ENCLOSURE_ANCHOR, (match, anchor: string) => enclosures.get(anchor) ?? match);
  }
  return `${slots.fill(xml)}\n`;
}

/** The hub and RFC 5005 links, written here: the library is not trusted with the hub. */
function feedLinks(model: FeedModel): string {
  const links: string[] = [];
  if (model.hub !== undefined) links.push(`<link rel="hub" href="${escapeXml(model.hub)}"/>`);
  const { current, prevArchive, nextArchive } = model.history.atom;
  for (const [rel, href] of [
    ["current", current],
    ["prev-archive", prevArchive],
    ["next-archive", nextArchive],
  ] as const) {
    if (href !== undefined) {
      links.push(`<link rel="${rel}" href="${escapeXml(href)}" type="${ATOM_TYPE}"/>`);
    }
  }
  if (model.archive) links.push("<fh:archive/>");
  return links.map((link) => `\n${link}`).join("");
}

function atomEntry(
  item: ItemModel,
  model: FeedModel,
  slots: XmlSlots,
  languages: Map<string, string>,
  enclosures: Map<string, string>,
): Item {
  // The library declares titles and summaries type="html": escape the plain text so that
  // "<" or "&" in it show as written instead of being read as markup.
  const title = slots.cdata(escapeHtml(item.title));
  if (item.language !== model.language) languages.set(title, item.language);
  let enclosure: Item["enclosure"];
  if (item.image) {
    const image = item.image;
    // The library writes type="image/<extension>" ("image/jpg") whatever type it is given:
    // mark the link with an anchor in its title and rewrite its attributes. Atom makes the
    // length optional, so an unknown size is left out rather than written as 0.
    const anchor = slots.anchor();
    enclosure = { url: image.url, title: anchor };
    enclosures.set(
      anchor,
      ` type="${escapeXml(image.type)}"` +
        (image.length === undefined ? "" : ` length="${image.length}"`) +
        (image.alt === undefined ? "" : ` title="${escapeXml(image.alt)}"`),
    );
  }
  return {
    title,
    id: item.id,
    link: item.url,
    date: item.updated,
    published: item.published,
    description: item.summary ? slots.cdata(escapeHtml(item.summary)) : undefined,
    content: item.contentHtml ? slots.cdata(item.contentHtml) : undefined,
    author: item.author ? [{ name: slots.text(item.author) }] : undefined,
    category: item.categories.map((category) => ({
      term: slots.text(category.slug),
      name: slots.text(category.name),
    })),
    enclosure,
  };
}
