import type { FetchConfig, SourceConfig } from "../config/index.js";
import type { ArticleDraft } from "../domain/article.js";
import type { ExtractionRules } from "../domain/feed.js";
import type { Fetcher, FetchResult } from "../domain/fetch.js";
import type { ArticleRepository, SourceState } from "../domain/ports.js";
import {
  decodeHtml,
  extractHtmlPage,
  feedEntryToDraft,
  isExcerptOnly,
  parseFeed,
  parseSitemap,
  wordpressPostToDraft,
} from "../extract/index.js";
import { AppError, errorMessage, isAppError } from "../shared/errors.js";
import { sha256Hex } from "../shared/hash.js";
import { canonicalizeUrl } from "../shared/url.js";
import type { CollectFailure } from "./collect.js";

type RemoteSource = Exclude<SourceConfig, { type: "directory" }>;
type FeedSourceConfig = Extract<SourceConfig, { type: "feed" }>;
type PagesSourceConfig = Extract<SourceConfig, { type: "pages" }>;
type WordPressSourceConfig = Extract<SourceConfig, { type: "wordpress" }>;

/** One document a remote source yielded, ready to be normalised. */
export interface RemoteDocument {
  draft: ArticleDraft;
  key: string;
}

/** What reading a remote source yielded, and what to remember for the next poll. */
export interface RemoteRead {
  notModified: boolean;
  documents: RemoteDocument[];
  /** Items that failed on their own (a page that would not extract), the rest went on. */
  failures: CollectFailure[];
  etag?: string;
  lastModified?: string;
  cursor?: string;
  pollFloor?: number;
}

/** What the remote readers need. */
export interface RemoteContext {
  fetcher: Fetcher;
  articles: ArticleRepository;
  timezone: string;
  language: string;
  fetch: FetchConfig;
}

const FEED_ACCEPT =
  "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.5";
const HTML_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5";
/** Sitemaps of a sitemap index read in one run. */
const MAX_CHILD_SITEMAPS = 5;
/** Pages fetched at once by one source (the fetcher also limits requests per host). */
const PAGE_BATCH = 8;

/** Compiles a source's extraction rules. */
export function compileRules(source: SourceConfig): ExtractionRules {
  return {
    dropSelectors: [...source.rules.drop_selectors],
    dropLines: source.rules.drop_lines.map((pattern) => new RegExp(pattern, "iu")),
  };
}

/** Reads one remote source by its kind. */
export function readRemoteSource(
  source: RemoteSource,
  state: SourceState | undefined,
  ctx: RemoteContext,
): Promise<RemoteRead> {
  switch (source.type) {
    case "feed":
      return readFeedSource(source, state, ctx);
    case "pages":
      return readPagesSource(source, state, ctx);
    case "wordpress":
      return readWordPressSource(source, state, ctx);
  }
}

function validators(result: FetchResult) {
  const kept: Pick<RemoteRead, "etag" | "lastModified" | "pollFloor"> = {};
  if (result.etag) kept.etag = result.etag;
  if (result.lastModified) kept.lastModified = result.lastModified;
  if (result.pollFloor !== undefined) kept.pollFloor = result.pollFloor;
  return kept;
}

function conditional(url: string, state: SourceState | undefined, accept: string) {
  const request: { url: string; accept: string; etag?: string; lastModified?: string } = {
    url,
    accept,
  };
  if (state?.etag) request.etag = state.etag;
  if (state?.lastModified) request.lastModified = state.lastModified;
  return request;
}

/** Fetches a page and extracts its article; the page's own URL fills a missing link. */
async function fetchArticlePage(
  url: string,
  rules: ExtractionRules,
  ctx: RemoteContext,
  language: string,
): Promise<ArticleDraft> {
  const page = await ctx.fetcher.fetch({ url, accept: HTML_ACCEPT });
  try {
    const html = decodeHtml(page.body, page.contentType);
    const draft = extractHtmlPage(html, { url: page.url, timezone: ctx.timezone, language, rules });
    draft.url ??= page.url;
    return draft;
  } catch (error) {
    // Name the page: the extractor's message says what is wrong, not where.
    const code = isAppError(error) ? error.code : "PARSE_HTML";
    throw new AppError(code, `extract: ${url}: ${errorMessage(error)}`, { cause: error });
  }
}

async function readFeedSource(
  source: FeedSourceConfig,
  state: SourceState | undefined,
  ctx: RemoteContext,
): Promise<RemoteRead> {
  const response = await ctx.fetcher.fetch(conditional(source.url, state, FEED_ACCEPT));
  // A 304 costs no parsing: nothing in the feed changed since the last poll.
  if (response.notModified)
    return { notModified: true, documents: [], failures: [], ...validators(response) };
  const feed = parseFeed(response.body, {
    url: response.url,
    timezone: ctx.timezone,
    ...(response.contentType ? { contentType: response.contentType } : {}),
  });
  const language = source.language ?? feed.language ?? ctx.language;
  const rules = compileRules(source);
  const keyed = feed.entries.map((entry) => ({
    entry,
    canonical: entry.url ? canonicalizeUrl(entry.url) : undefined,
  }));
  const known = source.fetch_full_page
    ? await ctx.articles.knownUrls(keyed.flatMap((k) => (k.canonical ? [k.canonical] : [])))
    : new Set<string>();
  const documents: RemoteDocument[] = [];
  const failures: CollectFailure[] = [];
  for (const { entry, canonical } of keyed) {
    const key = entry.guid ?? canonical ?? `title:${sha256Hex(entry.title)}`;
    let draft = feedEntryToDraft(entry, feed);
    draft.language ??= language;
    if (source.fetch_full_page && isExcerptOnly(entry) && entry.url) {
      // A story completed once is not fetched again on every poll.
      if (canonical && known.has(canonical)) continue;
      try {
        const page = await fetchArticlePage(entry.url, rules, ctx, language);
        draft = {
          ...draft,
          contentHtml: page.contentHtml,
          contentText: page.contentText,
          ...(draft.image || !page.image ? {} : { image: page.image }),
          ...(draft.author || !page.author ? {} : { author: page.author }),
        };
      } catch (error) {
        failures.push({
          sourceId: source.id,
          location: entry.url,
          message: `${errorMessage(error)} (kept the feed's excerpt)`,
        });
      }
    }
    documents.push({ draft, key });
  }
  return { notModified: false, documents, failures, ...validators(response) };
}

async function listSitemapUrls(
  sitemapUrl: string,
  state: SourceState | undefined,
  ctx: RemoteContext,
): Promise<{ urls: string[]; response: FetchResult }> {
  const response = await ctx.fetcher.fetch(
    conditional(sitemapUrl, state, "application/xml, text/xml;q=0.9, */*;q=0.5"),
  );
  if (response.notModified) return { urls: [], response };
  const sitemap = parseSitemap(response.body.toString("utf8"), response.url);
  const entries = [...sitemap.entries];
  for (const child of sitemap.sitemaps.slice(0, MAX_CHILD_SITEMAPS)) {
    const childResponse = await ctx.fetcher.fetch({ url: child, accept: "application/xml" });
    entries.push(...parseSitemap(childResponse.body.toString("utf8"), childResponse.url).entries);
  }
  entries.sort((a, b) => (b.modified?.getTime() ?? 0) - (a.modified?.getTime() ?? 0));
  return { urls: entries.map((e) => e.url), response };
}

async function readPagesSource(
  source: PagesSourceConfig,
  state: SourceState | undefined,
  ctx: RemoteContext,
): Promise<RemoteRead> {
  const listed = [...source.urls];
  let kept: Pick<RemoteRead, "etag" | "lastModified" | "pollFloor"> = {};
  if (source.sitemap) {
    const { urls, response } = await listSitemapUrls(source.sitemap, state, ctx);
    listed.push(...urls);
    kept = validators(response);
  }
  const byCanonical = new Map<string, string>();
  for (const url of listed) {
    const canonical = canonicalizeUrl(url);
    if (canonical && !byCanonical.has(canonical)) byCanonical.set(canonical, url);
  }
  // A page already stored is not fetched again: pages are collected once.
  const known = await ctx.articles.knownUrls([...byCanonical.keys()]);
  const todo = [...byCanonical]
    .filter(([canonical]) => !known.has(canonical))
    .slice(0, source.max_pages);
  const rules = compileRules(source);
  const language = source.language ?? ctx.language;
  const documents: RemoteDocument[] = [];
  const failures: CollectFailure[] = [];
  for (let i = 0; i < todo.length; i += PAGE_BATCH) {
    const batch = todo.slice(i, i + PAGE_BATCH);
    const results = await Promise.allSettled(
      batch.map(([, url]) => fetchArticlePage(url, rules, ctx, language)),
    );
    results.forEach((result, index) => {
      const [canonical, url] = batch[index]!;
      if (result.status === "fulfilled") documents.push({ draft: result.value, key: canonical });
      else
        failures.push({ sourceId: source.id, location: url, message: errorMessage(result.reason) });
    });
  }
  return { notModified: false, documents, failures, ...kept };
}

/** The API address of a WordPress site's posts. */
export function wordpressPostsUrl(siteUrl: string): URL {
  const base = siteUrl.endsWith("/") ? siteUrl : `${siteUrl}/`;
  return new URL("wp-json/wp/v2/posts", base);
}

async function readWordPressSource(
  source: WordPressSourceConfig,
  state: SourceState | undefined,
  ctx: RemoteContext,
): Promise<RemoteRead> {
  const documents: RemoteDocument[] = [];
  const failures: CollectFailure[] = [];
  let cursor = state?.cursor;
  let kept: Pick<RemoteRead, "pollFloor"> = {};
  for (let page = 1; page <= source.max_pages; page += 1) {
    const url = wordpressPostsUrl(source.url);
    url.searchParams.set("_embed", "1");
    url.searchParams.set("per_page", String(source.per_page));
    url.searchParams.set("page", String(page));
    // Oldest change first, so that the cursor only ever moves forward, even when a run stops
    // at max_pages.
    url.searchParams.set("orderby", "modified");
    url.searchParams.set("order", "asc");
    if (state?.cursor) {
      // modified_after is exclusive: step back a second so posts sharing the cursor's
      // second are not missed (they come back unchanged).
      const after = new Date(new Date(`${state.cursor}Z`).getTime() - 1000);
      url.searchParams.set("modified_after", after.toISOString().replace(/\.\d{3}Z$/, "Z"));
    }
    const response = await ctx.fetcher.fetch({ url: url.toString(), accept: "application/json" });
    if (page === 1)
      kept = response.pollFloor === undefined ? {} : { pollFloor: response.pollFloor };
    let posts: unknown;
    try {
      posts = JSON.parse(response.body.toString("utf8"));
    } catch (cause) {
      throw new AppError("PARSE_JSON", `wordpress: ${response.url}: not JSON`, { cause });
    }
    if (!Array.isArray(posts)) {
      throw new AppError("PARSE_JSON", `wordpress: ${response.url}: expected a list of posts`);
    }
    for (const post of posts) {
      try {
        const draft = wordpressPostToDraft(post);
        documents.push({ draft, key: draft.id ?? draft.url ?? "" });
        const modified = (post as { modified_gmt?: unknown }).modified_gmt;
        if (typeof modified === "string" && (!cursor || modified > cursor)) cursor = modified;
      } catch (error) {
        failures.push({
          sourceId: source.id,
          location: response.url,
          message: errorMessage(error),
        });
      }
    }
    const totalPages = Number(response.headers["x-wp-totalpages"] ?? "0");
    if (posts.length < source.per_page || (totalPages > 0 && page >= totalPages)) break;
  }
  return { notModified: false, documents, failures, ...(cursor ? { cursor } : {}), ...kept };
}
