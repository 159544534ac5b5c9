import { type Extension, Feed, type Item } from "feed";
import type { FeedModel, ImageModel, ItemModel } from "./model.js";
import { escapeHtml, escapeXml } from "./text.js";
import { patchOnce, XmlSlots } from "./xml-slots.js";

const DC_NAMESPACE = "http://purl.org/dc/elements/1.1/";
const MEDIA_NAMESPACE = "http://search.yahoo.com/mrss/";
const HISTORY_NAMESPACE = "http://purl.org/syndication/history/1.0";
const RSS_TYPE = "application/rss+xml";

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
  let media = false;
  for (const item of model.items) {
    feed.addItem(rssItem(item, model, slots));
    media ||= item.image !== undefined;
  }
  // The library declares the Dublin Core namespace only when some item has content:encoded,
  // but dc:creator and dc:language need it in every case; Media RSS and feed history are ours.
  let xml = patchOnce(feed.rss2(), /<rss version="2\.0"([^>]*)>/, (tag, attributes) => {
    let declared = attributes;
    if (!declared.includes("xmlns:dc=")) declared += ` xmlns:dc="${DC_NAMESPACE}"`;
    if (media) declared += ` xmlns:media="${MEDIA_NAMESPACE}"`;
    if (model.archive) declared += ` xmlns:fh="${HISTORY_NAMESPACE}"`;
    return declared === attributes ? tag : `<rss version="2.0"${declared}>`;
  });
  // The hub and the RFC 5005 links go beside the self link, which stays first: the library
  // is not trusted with the hub (some versions of it write the hub in place of self).
  const extra = channelLinks(model);
  if (extra !== "") {
    xml = patchOnce(
      xml,
      /(\n?)(\s*)(<atom:link href="[^"]*" rel="self" type="application\/rss\+xml"\/>)/,
      (_match, newline: string, indent: string, self: string) =>
        `${newline}${indent}${self}${extra.replace(/\n/g, `\n${indent}`)}`,
    );
  }
  return `${slots.fill(xml)}\n`;
}

function channelLinks(model: FeedModel): string {
  const links: string[] = [];
  if (model.hub !== undefined) links.push(atomLink("hub", model.hub));
  const { current, prevArchive, nextArchive } = model.history.rss;
  if (current !== undefined) links.push(atomLink("current", current, RSS_TYPE));
  if (prevArchive !== undefined) links.push(atomLink("prev-archive", prevArchive, RSS_TYPE));
  if (nextArchive !== undefined) links.push(atomLink("next-archive", nextArchive, RSS_TYPE));
  if (model.archive) links.push("<fh:archive/>");
  return links.map((link) => `\n${link}`).join("");
}

function atomLink(rel: string, href: string, type?: string): string {
  const typed = type === undefined ? "" : ` type="${type}"`;
  return `<atom:link href="${escapeXml(href)}" rel="${rel}"${typed}/>`;
}

function rssItem(item: ItemModel, model: FeedModel, slots: XmlSlots): Item {
  const extensions: Extension[] = [];
  // RSS <author> must be an e-mail address; a name belongs in dc:creator.
  if (item.author)
    extensions.push({ name: "dc:creator", objects: { _text: slots.text(item.author) } });
  if (item.language !== model.language) {
    extensions.push({ name: "dc:language", objects: { _text: slots.text(item.language) } });
  }
  if (item.image) extensions.push(...imageElements(item.image, slots));
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
    extensions,
  };
}

/**
 * The lead image as Media RSS media:content, always, and as an <enclosure> only when its size
 * is known: RSS 2.0 requires the enclosure's length, and the library's length="0" would be
 * false. Both are written here rather than by the library, which guesses the type from the
 * file extension ("image/jpg") and leaves attribute values unescaped.
 */
function imageElements(image: ImageModel, slots: XmlSlots): Extension[] {
  const attributes: Record<string, string> = {
    url: slots.text(image.url),
    type: slots.text(image.type),
    medium: "image",
  };
  if (image.length !== undefined) attributes.fileSize = String(image.length);
  if (image.width !== undefined) attributes.width = String(image.width);
  if (image.height !== undefined) attributes.height = String(image.height);
  // No media:description for the alt text: feedparser reads it as the item's summary.
  const elements: Extension[] = [{ name: "media:content", objects: { _attributes: attributes } }];
  if (image.length !== undefined) {
    elements.unshift({
      name: "enclosure",
      objects: {
        _attributes: {
          url: slots.text(image.url),
          length: String(image.length),
          type: slots.text(image.type),
        },
      },
    });
  }
  return elements;
}
