import type { SiteConfig } from "../config/index.js";
import type { ArticleDraft, Category } from "../domain/article.js";
import type { ArticleInput } from "../domain/ports.js";
import { sanitizeArticleHtml } from "../extract/index.js";
import { sha256Hex } from "../shared/hash.js";
import { simhash } from "../shared/simhash.js";
import { slugify } from "../shared/slug.js";
import { canonicalizeUrl } from "../shared/url.js";

/** Where a draft came from, and the source's defaults for what it leaves out. */
export interface DraftOrigin {
  sourceId: string;
  /** Key of the document inside its source: a relative path, a GUID, a canonical URL. */
  key: string;
  /** Category for a draft that names none. */
  fallbackCategory?: string;
  /** Language for a draft that does not say. */
  language?: string;
  /** Base of the URL made up for a draft without one. */
  baseUrl: string;
  /** Slug of that made-up URL, when the draft has none. */
  fallbackSlug: string;
  /** Modification time of the document, the publication time of last resort. */
  modified?: Date;
}

/**
 * Gives a draft its identity and fills what the document left out: the id comes from the
 * source and the document's own id (or its key), so collecting the same document again, or
 * an edited version of it, always lands on the same article.
 */
export function normaliseDraft(
  draft: ArticleDraft,
  origin: DraftOrigin,
  site: SiteConfig,
  now: Date,
): ArticleInput {
  const id = sha256Hex(origin.sourceId, draft.id ? `id:${draft.id}` : `key:${origin.key}`).slice(
    0,
    24,
  );
  const slug = draft.slug ?? slugify(origin.fallbackSlug);
  const url = draft.url ?? new URL(`artikel/${slug}/`, origin.baseUrl).toString();
  const published = draft.published ?? origin.modified ?? now;
  const updated = draft.updated && draft.updated > published ? draft.updated : published;
  const names = draft.categories.length > 0 ? draft.categories : [origin.fallbackCategory ?? ""];
  const categories: Category[] = [];
  for (const name of names.map((n) => n.trim()).filter(Boolean)) {
    const slugged = slugify(name);
    if (!categories.some((c) => c.slug === slugged)) categories.push({ slug: slugged, name });
  }
  const contentHtml = sanitizeArticleHtml(draft.contentHtml, url);
  const summary = draft.summary?.trim() || firstParagraph(draft.contentText);
  const article: Omit<ArticleInput, "contentHash"> = {
    id,
    sourceId: origin.sourceId,
    sourceKey: origin.key,
    url,
    title: draft.title.trim(),
    summary,
    contentHtml,
    contentText: draft.contentText,
    categories,
    tags: [...new Set(draft.tags.map((t) => t.trim()).filter(Boolean))],
    language: draft.language ?? origin.language ?? site.language,
    published,
    updated,
  };
  if (draft.author) article.author = draft.author;
  if (draft.image)
    article.image = { ...draft.image, url: new URL(draft.image.url, url).toString() };
  if (draft.dateline) article.dateline = draft.dateline;
  if (draft.credit) article.credit = draft.credit;
  const input: ArticleInput = { ...article, contentHash: sha256Hex(JSON.stringify(article)) };
  // Only an address the document gave itself identifies it across sources; one made up
  // from a file name does not.
  const canonicalUrl = draft.url ? canonicalizeUrl(draft.url) : undefined;
  if (canonicalUrl) input.canonicalUrl = canonicalUrl;
  const fingerprint = simhash(draft.contentText);
  if (fingerprint) input.fingerprint = fingerprint;
  return input;
}

function firstParagraph(text: string, max = 300): string {
  const first =
    text
      .split("\n")
      .find((line) => line.trim().length > 0)
      ?.trim() ?? "";
  if (first.length <= max) return first;
  const cut = first.slice(0, max);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(" "), max / 2)).trimEnd()}…`;
}
