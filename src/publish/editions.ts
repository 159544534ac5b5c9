import { PersonalizedTemplate, type RecipientValues } from "../compose/index.js";
import type { SiteConfig } from "../config/schema.js";
import type { Edition } from "../domain/digest.js";
import { pagePaths } from "../subscriptions/links.js";
import { type FeedArticle, publicUrl } from "./model.js";
import { editionPagePath } from "./plan.js";
import type { FeedFile } from "./render-feed.js";
import { excerpt, textToHtml } from "./text.js";

/**
 * The values a stored edition is filled with for everyone (web page, feed): no name, a greeting
 * without one, and the subscribe page where a reader's own links would be. Nobody can act on
 * someone's subscription from a public copy.
 */
function publicRecipient(
  edition: Edition,
  links: { subscribe: string; web: string },
  fallbackLanguage: string,
): RecipientValues {
  // The same nameless greetings as the mailed digests (pipeline/segments.ts greetingFor).
  const language = (edition.language || fallbackLanguage).toLowerCase().split(/[-_]/)[0];
  return {
    name: "",
    greeting: language === "id" ? "Halo!" : "Hello,",
    unsubscribe_url: links.subscribe,
    preferences_url: links.subscribe,
    web_url: links.web,
  };
}

/** An edition's text filled with public values: no placeholder ever reaches public/. */
function publicText(document: string, kind: "html" | "text", values: RecipientValues): string {
  return PersonalizedTemplate.compile(document, kind).fill(values);
}

/**
 * Makes a newsletter edition a feed item: titled by its subject, linking to its web version,
 * its text as content. Its id, "newsletter-<n>", cannot clash with an article's (hex digests).
 */
export function editionArticle(edition: Edition, site: SiteConfig): FeedArticle {
  const url = publicUrl(site, editionPagePath(edition.id).replace(/index\.html$/, ""));
  const values = publicRecipient(
    edition,
    { subscribe: publicUrl(site, pagePaths.subscribe), web: url },
    site.language,
  );
  const text = publicText(edition.text, "text", values);
  return {
    id: `newsletter-${edition.id}`,
    url,
    title: publicText(edition.subject, "text", values),
    summary: excerpt(text),
    contentHtml: textToHtml(text),
    contentText: text,
    categories: [],
    language: edition.language || site.language,
    published: edition.created,
    updated: edition.created,
    firstSeen: edition.created,
  };
}

/**
 * The web version of an edition: its HTML as mailed, at newsletter/<id>/index.html, with the
 * recipient placeholders filled for the public. Links are relative to the page
 * (newsletter/<id>/), so they hold under any base path.
 */
export function renderEditionPage(edition: Edition): FeedFile {
  const values = publicRecipient(
    edition,
    { subscribe: `../../${pagePaths.subscribe}`, web: "./" },
    "id",
  );
  const html = publicText(edition.html, "html", values);
  return {
    path: editionPagePath(edition.id),
    contentType: "text/html; charset=utf-8",
    body: html.endsWith("\n") ? html : `${html}\n`,
  };
}
