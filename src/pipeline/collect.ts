import path from "node:path";
import type { DirectorySourceConfig, SiteConfig, SourceConfig } from "../config/index.js";
import type { ArticleDraft, Category } from "../domain/article.js";
import type { ArticleInput, ArticleRepository } from "../domain/ports.js";
import type { RawDocument } from "../domain/source.js";
import { extractDocument, sanitizeArticleHtml } from "../extract/index.js";
import { errorMessage } from "../shared/errors.js";
import { sha256Hex } from "../shared/hash.js";
import type { Logger } from "../shared/logger.js";
import { simhash } from "../shared/simhash.js";
import { slugify } from "../shared/slug.js";
import { canonicalizeUrl } from "../shared/url.js";
import { readDirectorySource } from "../sources/index.js";

/** A document that could not become an article, named by where it came from. */
export interface CollectFailure {
  sourceId: string;
  location: string;
  message: string;
}

/** What one collect run did. */
export interface CollectSummary {
  sources: number;
  documents: number;
  inserted: number;
  updated: number;
  unchanged: number;
  merged: number;
  failures: CollectFailure[];
}

/**
 * Reads every enabled source, extracts and normalises its documents and stores them. A
 * document that fails is reported and skipped; the others are stored all the same.
 */
export async function collectSources(deps: {
  sources: readonly SourceConfig[];
  site: SiteConfig;
  articles: ArticleRepository;
  now: () => Date;
  logger: Logger;
}): Promise<CollectSummary> {
  const summary: CollectSummary = {
    sources: 0,
    documents: 0,
    inserted: 0,
    updated: 0,
    unchanged: 0,
    merged: 0,
    failures: [],
  };
  for (const source of deps.sources) {
    if (!source.enabled || source.type !== "directory") continue;
    const log = deps.logger.child({ component: "collect", sourceId: source.id });
    summary.sources += 1;
    const read = await readDirectorySource(source);
    for (const failure of read.failures) {
      summary.failures.push({
        sourceId: failure.sourceId,
        location: failure.location,
        message: failure.error.message,
      });
    }
    const ready: ArticleInput[] = [];
    const seen = new Set<string>();
    for (const doc of read.documents) {
      summary.documents += 1;
      try {
        const draft = extractDocument(doc, {
          timezone: deps.site.timezone,
          language: source.language ?? deps.site.language,
        });
        const article = normaliseDraft(draft, doc, source, deps.site, deps.now());
        if (seen.has(article.id)) {
          throw new Error(
            `extract: ${doc.location}: another file of this source has id ${draft.id}`,
          );
        }
        seen.add(article.id);
        ready.push(article);
      } catch (error) {
        summary.failures.push({
          sourceId: source.id,
          location: doc.location,
          message: errorMessage(error),
        });
        log.warn({ location: doc.location, err: errorMessage(error) }, "document skipped");
      }
    }
    const stored = await deps.articles.upsert(ready, deps.now());
    summary.inserted += stored.inserted;
    summary.updated += stored.updated;
    summary.unchanged += stored.unchanged;
    summary.merged += stored.merged;
    log.info({ documents: read.documents.length, ...stored }, "source collected");
  }
  return summary;
}

/**
 * Gives a draft its identity and fills what the document left out: the id comes from the
 * source and the document's own id (or its key), so collecting the same file again, or an
 * edited version of it, always lands on the same article.
 */
export function normaliseDraft(
  draft: ArticleDraft,
  doc: RawDocument,
  source: DirectorySourceConfig,
  site: SiteConfig,
  now: Date,
): ArticleInput {
  const id = sha256Hex(source.id, draft.id ? `id:${draft.id}` : `key:${doc.key}`).slice(0, 24);
  const base = source.base_url ?? site.base_url;
  const slug = draft.slug ?? slugify(path.basename(doc.key, path.extname(doc.key)));
  const url = draft.url ?? new URL(`artikel/${slug}/`, base).toString();
  const published = draft.published ?? doc.modified ?? now;
  const updated = draft.updated && draft.updated > published ? draft.updated : published;
  const names = draft.categories.length > 0 ? draft.categories : [fallbackCategory(doc, source)];
  const categories: Category[] = [];
  for (const name of names.map((n) => n.trim()).filter(Boolean)) {
    const slugged = slugify(name);
    if (!categories.some((c) => c.slug === slugged)) categories.push({ slug: slugged, name });
  }
  const contentHtml = sanitizeArticleHtml(draft.contentHtml, url);
  const summary = draft.summary?.trim() || firstParagraph(draft.contentText);
  const article: Omit<ArticleInput, "contentHash"> = {
    id,
    sourceId: source.id,
    sourceKey: doc.key,
    url,
    title: draft.title.trim(),
    summary,
    contentHtml,
    contentText: draft.contentText,
    categories,
    tags: [...new Set(draft.tags.map((t) => t.trim()).filter(Boolean))],
    language: draft.language ?? source.language ?? site.language,
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

/** The category of an article that names none: its folder's name, or the source's default. */
function fallbackCategory(doc: RawDocument, source: DirectorySourceConfig): string {
  const folder = path.posix.dirname(doc.key).split("/")[0];
  if (source.category_from_folder && folder && folder !== ".") {
    const words = folder.replace(/[-_]+/g, " ").trim();
    return words.charAt(0).toLocaleUpperCase() + words.slice(1);
  }
  return source.default_category ?? "";
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
