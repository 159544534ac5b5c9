import { Feed } from "feed";
import { AppError } from "../shared/errors.js";
import type { FeedModel } from "./model.js";

const VERSION = "https://jsonfeed.org/version/1.1";

type JsonObject = Record<string, unknown>;

/**
 * Writes a JSON Feed 1.1 document. The library writes version 1 (a single `author`, no
 * `language`, content_html filled with the plain summary when there is no content), so its
 * output is parsed and rebuilt with the 1.1 fields, in a fixed key order.
 */
export function renderJsonFeed(model: FeedModel): string {
  const feed = new Feed({
    title: model.title,
    description: model.description || undefined,
    link: model.homePage,
    generator: "warta",
    feedLinks: { json: model.selfUrls.json },
  });
  for (const item of model.items) {
    feed.addItem({
      id: item.id,
      title: item.title,
      link: item.url,
      date: item.updated,
      published: item.published,
      description: item.summary || undefined,
      content: item.contentHtml || undefined,
      image: item.image?.url,
      author: item.author === undefined ? undefined : [{ name: item.author }],
      category: item.categories.map((category) => ({ name: category.name, term: category.slug })),
    });
  }
  const written = asObject(JSON.parse(feed.json1()), "feed");
  const writtenItems = Array.isArray(written.items) ? written.items : [];
  if (writtenItems.length !== model.items.length) {
    throw new AppError("PUBLISH_RENDER", "publish: the JSON feed lost items");
  }
  const items = model.items.map((item, index) => {
    const raw = asObject(writtenItems[index], "item");
    const tags = Array.isArray(raw.tags) && raw.tags.length > 0 ? raw.tags : undefined;
    return {
      id: raw.id,
      url: raw.url,
      title: raw.title,
      content_html: item.contentHtml ? raw.content_html : undefined,
      // JSON Feed needs content_html or content_text; never pass plain text off as HTML.
      content_text: item.contentHtml ? undefined : item.contentText || item.summary,
      summary: item.summary || undefined,
      image: raw.image,
      date_published: raw.date_published,
      date_modified: raw.date_modified,
      authors: raw.author === undefined ? undefined : [raw.author],
      tags,
      language: item.language,
    };
  });
  const document = {
    version: VERSION,
    title: written.title,
    home_page_url: written.home_page_url,
    feed_url: written.feed_url,
    description: written.description,
    language: model.language,
    authors: model.author === undefined ? undefined : [{ name: model.author }],
    // JSON Feed 1.1 names WebSub hubs here; the library writes none.
    hubs: model.hub === undefined ? undefined : [{ type: "WebSub", url: model.hub }],
    items,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

function asObject(value: unknown, what: string): JsonObject {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new AppError("PUBLISH_RENDER", `publish: the JSON feed library wrote no ${what} object`);
  }
  return value as JsonObject;
}
