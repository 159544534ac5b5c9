import type { SiteConfig } from "../config/schema.js";
import { type Labels, labelsFor } from "./labels.js";
import { type FeedFormat, publicUrl, siteBase } from "./model.js";
import type { FeedKind, PlannedDocument, PlannedFeed, PublicationPlan } from "./plan.js";
import type { FeedFile } from "./render-feed.js";
import { cleanText, escapeXml } from "./text.js";

/** Path of the OPML list of every feed, relative to the public folder. */
export const OPML_PATH = "feeds.opml";
/** Path of the HTML index page of the feeds (the site's root page). */
export const INDEX_PATH = "index.html";

const FORMAT_NAMES: Readonly<Record<FeedFormat, string>> = {
  rss: "RSS",
  atom: "Atom",
  json: "JSON Feed",
};

const AUTODISCOVERY_TYPES: Readonly<Record<FeedFormat, string>> = {
  rss: "application/rss+xml",
  atom: "application/atom+xml",
  json: "application/feed+json",
};

const KINDS: readonly Exclude<FeedKind, "archive">[] = ["site", "category", "author", "editions"];

/** Title of one document: its feed's title, the variant when a summary, and the format. */
function documentTitle(feed: PlannedFeed, document: PlannedDocument, labels: Labels): string {
  const variant = document.variant === "summary" ? ` (${labels.summaries})` : "";
  return `${feed.title}${variant} (${FORMAT_NAMES[document.format]})`;
}

/** Writes the OPML 2.0 list of every feed document, grouped in one outline per kind of feed. */
export function renderOpml(plan: PublicationPlan, site: SiteConfig): FeedFile {
  const labels = labelsFor(site.language);
  const home = siteBase(site).href;
  const text = (value: string) => escapeXml(cleanText(value));
  const lines = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<opml version="2.0">',
    "  <head>",
    `    <title>${text(`${site.title}: ${labels.feedsTitle}`)}</title>`,
    ...(site.author ? [`    <ownerName>${text(site.author)}</ownerName>`] : []),
    "    <docs>http://opml.org/spec2.opml</docs>",
    "  </head>",
    "  <body>",
  ];
  for (const kind of KINDS) {
    const feeds = plan.feeds.filter((feed) => feed.kind === kind);
    if (feeds.length === 0) continue;
    const group = text(labels.groups[kind]);
    lines.push(`    <outline text="${group}" title="${group}">`);
    for (const feed of feeds) {
      for (const document of feed.documents) {
        const title = text(documentTitle(feed, document, labels));
        lines.push(
          `      <outline type="rss" text="${title}" title="${title}"` +
            ` xmlUrl="${escapeXml(publicUrl(site, document.path))}" htmlUrl="${escapeXml(home)}"` +
            ` language="${escapeXml(site.language)}"/>`,
        );
      }
    }
    lines.push("    </outline>");
  }
  lines.push("  </body>", "</opml>", "");
  return { path: OPML_PATH, contentType: "text/x-opml; charset=utf-8", body: lines.join("\n") };
}

function escapeHtmlText(value: string): string {
  return escapeXml(cleanText(value));
}

/**
 * Writes the index page at the root of the public folder: every feed with a link to each of
 * its documents, the monthly archives, and autodiscovery links to the site-wide feeds.
 */
export function renderIndexPage(plan: PublicationPlan, site: SiteConfig): FeedFile {
  const labels = labelsFor(site.language);
  const title = `${site.title}: ${labels.feedsTitle}`;
  const url = (path: string) => escapeXml(publicUrl(site, path));
  const siteFeed = plan.feeds.find((feed) => feed.kind === "site");
  const discovery = (siteFeed?.documents ?? []).map((document) => {
    const name = siteFeed ? documentTitle(siteFeed, document, labels) : "";
    return (
      `    <link rel="alternate" type="${AUTODISCOVERY_TYPES[document.format]}"` +
      ` title="${escapeHtmlText(name)}" href="${url(document.path)}">`
    );
  });
  const body: string[] = [];
  for (const kind of KINDS) {
    const feeds = plan.feeds.filter((feed) => feed.kind === kind);
    if (feeds.length === 0) continue;
    body.push(
      `      <section aria-labelledby="${kind}">`,
      `        <h2 id="${kind}">${escapeHtmlText(labels.groups[kind])}</h2>`,
      "        <ul>",
    );
    for (const feed of feeds) body.push(feedItem(feed, labels, url));
    body.push("        </ul>", "      </section>");
  }
  if (plan.archives.length > 0) {
    body.push(
      '      <section aria-labelledby="archive">',
      `        <h2 id="archive">${escapeHtmlText(labels.groups.archive)}</h2>`,
      "        <ul>",
    );
    // Newest month first, as a reader looks for it.
    for (const archive of [...plan.archives].reverse()) body.push(feedItem(archive, labels, url));
    body.push("        </ul>", "      </section>");
  }
  const lines = [
    "<!DOCTYPE html>",
    `<html lang="${escapeXml(site.language)}">`,
    "  <head>",
    '    <meta charset="utf-8">',
    '    <meta name="viewport" content="width=device-width, initial-scale=1">',
    `    <title>${escapeHtmlText(title)}</title>`,
    ...discovery,
    "    <style>",
    "      body { font-family: system-ui, sans-serif; line-height: 1.5; max-width: 48rem; margin: 0 auto; padding: 1rem; }",
    "      ul ul { display: inline; padding: 0; } ul ul li { display: inline; margin-left: 0.5em; }",
    "      .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }",
    "    </style>",
    "  </head>",
    "  <body>",
    "    <header>",
    `      <h1>${escapeHtmlText(title)}</h1>`,
    ...(site.description ? [`      <p>${escapeHtmlText(site.description)}</p>`] : []),
    `      <p>${escapeHtmlText(labels.intro)}</p>`,
    `      <p><a href="${url(OPML_PATH)}">${escapeHtmlText(labels.opmlLink)}</a></p>`,
    "    </header>",
    "    <main>",
    ...body,
    "    </main>",
    "  </body>",
    "</html>",
    "",
  ];
  return { path: INDEX_PATH, contentType: "text/html; charset=utf-8", body: lines.join("\n") };
}

/** One feed: its name, then a link per document, each naming its feed for screen readers. */
function feedItem(feed: PlannedFeed, labels: Labels, url: (path: string) => string): string {
  const links = feed.documents.map((document) => {
    const variant = document.variant === "summary" ? `${labels.summaryOnly}, ` : "";
    const visible = escapeHtmlText(`${variant}${FORMAT_NAMES[document.format]}`);
    const hidden = escapeHtmlText(` (${feed.name})`);
    return `<li><a href="${url(document.path)}">${visible}<span class="visually-hidden">${hidden}</span></a></li>`;
  });
  return `          <li>${escapeHtmlText(feed.name)}: <ul>${links.join("")}</ul></li>`;
}
