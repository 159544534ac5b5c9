import type { SiteConfig } from "../config/schema.js";
import type { Edition } from "../domain/digest.js";
import { type FeedArticle, publicUrl } from "./model.js";
import { editionPagePath } from "./plan.js";
import type { FeedFile } from "./render-feed.js";
import { excerpt, textToHtml } from "./text.js";

/**
 * Makes a newsletter edition a feed item: titled by its subject, linking to its web version,
 * its text as content. Its id, "newsletter-<n>", cannot clash with an article's (hex digests).
 */
export function editionArticle(edition: Edition, site: SiteConfig): FeedArticle {
  return {
    id: `newsletter-${edition.id}`,
    url: publicUrl(site, editionPagePath(edition.id).replace(/index\.html$/, "")),
    title: edition.subject,
    summary: excerpt(edition.text),
    contentHtml: textToHtml(edition.text),
    contentText: edition.text,
    categories: [],
    language: site.language,
    published: edition.created,
    updated: edition.created,
    firstSeen: edition.created,
  };
}

/** The web version of an edition: its HTML as mailed, at newsletter/<id>/index.html. */
export function renderEditionPage(edition: Edition): FeedFile {
  return {
    path: editionPagePath(edition.id),
    contentType: "text/html; charset=utf-8",
    body: edition.html.endsWith("\n") ? edition.html : `${edition.html}\n`,
  };
}
