import { Feed, type Item } from "feed";
import type { FeedModel, ItemModel } from "./model.js";
import { escapeHtml } from "./text.js";
import { patchOnce, XmlSlots } from "./xml-slots.js";

const DC_NAMESPACE = "http://purl.org/dc/elements/1.1/";

/** Writes an RSS 2.0 document (with atom:link rel="self") for the feed. */
export function renderRss(model: FeedModel): string {
  const slots = new XmlSlots();
  const feed = new Feed({
    title: slots.text(model.title),
    description: slots.text(model.description),
    link: model.homePage,
    language: slots.text(model.language),
    // Always set: without it the library writes the current time as lastBuildDate.
    updated: model.updated,
    generator: "warta",
    copyright: model.copyright === undefined ? undefined : slots.text(model.copyright),
    feedLinks: { rss: model.selfUrls.rss },
  });
  for (const item of model.items) feed.addItem(rssItem(item, model, slots));
  // The library declares the Dublin Core namespace only when some item has content:encoded,
  // but dc:creator and dc:language need it in every case.
  const xml = patchOnce(feed.rss2(), /<rss version="2\.0"([^>]*)>/, (tag, attributes) =>
    attributes.includes("xmlns:dc=")
      ? tag
      : `<rss version="2.0"${attributes} xmlns:dc="${DC_NAMESPACE}">`,
  );
  return `${slots.fill(xml)}\n`;
}

function rssItem(item: ItemModel, model: FeedModel, slots: XmlSlots): Item {
  const extensions = [];
  // RSS <author> must be an e-mail address; a name belongs in dc:creator.
  if (item.author)
    extensions.push({ name: "dc:creator", objects: { _text: slots.text(item.author) } });
  if (item.language !== model.language) {
    extensions.push({ name: "dc:language", objects: { _text: slots.text(item.language) } });
  }
  return {
    // RSS titles are plain text for readers (feedparser reads them as text/plain).
    title: slots.cdata(item.title),
    link: item.url,
    guid: slots.text(item.id),
    date: item.updated,
    published: item.published,
    // <description> is HTML in RSS, so plain text is escaped to show as written.
    description: item.summary ? slots.cdata(escapeHtml(item.summary)) : undefined,
    content: item.contentHtml ? slots.cdata(item.contentHtml) : undefined,
    category: item.categories.map((category) => ({ name: slots.text(category.name) })),
    enclosure: item.image && {
      url: item.image.url,
      type: item.image.type,
      // The library spreads this object over { length: 0, ... }: an explicit undefined
      // removes the false length="0" when the size is unknown.
      length: item.image.length,
    },
    extensions,
  };
}
