import { Feed, type Item } from "feed";
import type { FeedModel, ItemModel } from "./model.js";
import { escapeHtml, escapeXml } from "./text.js";
import { escapeRegExp, patchOnce, XmlSlots } from "./xml-slots.js";

/** Writes an Atom 1.0 document (RFC 4287) for the feed. */
export function renderAtom(model: FeedModel): string {
  const slots = new XmlSlots();
  const feed = new Feed({
    id: slots.text(model.selfUrls.atom),
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
  const patches: ((xml: string) => string)[] = [];
  for (const item of model.items) feed.addItem(atomEntry(item, model, slots, patches));
  // The library ignores the language option in Atom: declare it with xml:lang on the root.
  let xml = patchOnce(
    feed.atom1(),
    /<feed xmlns="http:\/\/www\.w3\.org\/2005\/Atom">/,
    () => `<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${escapeXml(model.language)}">`,
  );
  for (const patch of patches) xml = patch(xml);
  return `${slots.fill(xml)}\n`;
}

function atomEntry(
  item: ItemModel,
  model: FeedModel,
  slots: XmlSlots,
  patches: ((xml: string) => string)[],
): Item {
  // The library declares titles and summaries type="html": escape the plain text so that
  // "<" or "&" in it show as written instead of being read as markup.
  const title = slots.cdata(escapeHtml(item.title));
  if (item.language !== model.language) {
    const start = new RegExp(`<entry>(\\s*<title type="html"><!\\[CDATA\\[${escapeRegExp(title)})`);
    patches.push((xml) =>
      patchOnce(xml, start, (_m, rest) => `<entry xml:lang="${escapeXml(item.language)}">${rest}`),
    );
  }
  let enclosure: Item["enclosure"];
  if (item.image) {
    const image = item.image;
    // The library writes type="image/<extension>" ("image/jpg") whatever type it is given:
    // mark the link with an anchor in its title and rewrite its attributes.
    const anchor = slots.anchor();
    enclosure = { url: image.url, title: anchor };
    const written = new RegExp(` title="${escapeRegExp(anchor)}" type="[^"]*"`);
    const attributes =
      ` type="${escapeXml(image.type)}"` +
      (image.length === undefined ? "" : ` length="${image.length}"`) +
      (image.alt === undefined ? "" : ` title="${escapeXml(image.alt)}"`);
    patches.push((xml) => patchOnce(xml, written, () => attributes));
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
