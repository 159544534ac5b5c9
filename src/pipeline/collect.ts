import path from "node:path";
import type {
  DirectorySourceConfig,
  FetchConfig,
  SiteConfig,
  SourceConfig,
} from "../config/index.js";
import type { Fetcher } from "../domain/fetch.js";
import type {
  ArticleInput,
  ArticleRepository,
  SourceState,
  SourceStateRepository,
} from "../domain/ports.js";
import type { RawDocument } from "../domain/source.js";
import { extractDocument } from "../extract/index.js";
import { errorMessage } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";
import {
  nextPollAfterFailure,
  nextPollAfterSuccess,
  readDirectorySource,
  retryAfterOf,
} from "../sources/index.js";
import { type DraftOrigin, normaliseDraft } from "./normalise.js";
import { readRemoteSource } from "./remote.js";

/** A document that could not become an article, named by where it came from. */
export interface CollectFailure {
  sourceId: string;
  location: string;
  message: string;
}

/** What happened to one source in a collect run. */
export interface SourceOutcome {
  sourceId: string;
  status: "collected" | "not-modified" | "not-due" | "failed";
  documents: number;
  /** When a remote source is due next. */
  nextPoll?: Date;
  error?: string;
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
  outcomes: SourceOutcome[];
}

/** What collecting needs. */
export interface CollectDeps {
  sources: readonly SourceConfig[];
  site: SiteConfig;
  fetch: FetchConfig;
  articles: ArticleRepository;
  states: SourceStateRepository;
  fetcher: Fetcher;
  now: () => Date;
  logger: Logger;
  /** Poll remote sources even when they are not due yet. */
  force?: boolean;
}

type Stored = Pick<CollectSummary, "inserted" | "updated" | "unchanged" | "merged">;

/**
 * Reads every enabled source, extracts and normalises its documents and stores them. A
 * document or a source that fails is reported and skipped; the others are stored all the
 * same. Remote sources are polled only when due, with the validators and back-off kept in
 * the store.
 */
export async function collectSources(deps: CollectDeps): Promise<CollectSummary> {
  const summary: CollectSummary = {
    sources: 0,
    documents: 0,
    inserted: 0,
    updated: 0,
    unchanged: 0,
    merged: 0,
    failures: [],
    outcomes: [],
  };
  const add = (stored: Stored) => {
    summary.inserted += stored.inserted;
    summary.updated += stored.updated;
    summary.unchanged += stored.unchanged;
    summary.merged += stored.merged;
  };
  for (const source of deps.sources) {
    if (!source.enabled) continue;
    summary.sources += 1;
    const outcome =
      source.type === "directory"
        ? await collectDirectory(source, deps, summary, add)
        : await collectRemote(source, deps, summary, add);
    summary.outcomes.push(outcome);
  }
  return summary;
}

async function store(deps: CollectDeps, ready: ArticleInput[], add: (s: Stored) => void) {
  const stored = await deps.articles.upsert(ready, deps.now());
  add(stored);
  return stored;
}

async function collectDirectory(
  source: DirectorySourceConfig,
  deps: CollectDeps,
  summary: CollectSummary,
  add: (s: Stored) => void,
): Promise<SourceOutcome> {
  const log = deps.logger.child({ component: "collect", sourceId: source.id });
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
      const article = normaliseDraft(
        draft,
        directoryOrigin(doc, source, deps.site),
        deps.site,
        deps.now(),
      );
      if (seen.has(article.id)) {
        throw new Error(`extract: ${doc.location}: another file of this source has id ${draft.id}`);
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
  const stored = await store(deps, ready, add);
  log.info({ documents: read.documents.length, ...stored }, "source collected");
  return {
    sourceId: source.id,
    status: read.failures.length > 0 && read.documents.length === 0 ? "failed" : "collected",
    documents: read.documents.length,
  };
}

function directoryOrigin(
  doc: RawDocument,
  source: DirectorySourceConfig,
  site: SiteConfig,
): DraftOrigin {
  const origin: DraftOrigin = {
    sourceId: source.id,
    key: doc.key,
    baseUrl: source.base_url ?? site.base_url,
    fallbackSlug: path.basename(doc.key, path.extname(doc.key)),
  };
  const category = folderCategory(doc, source) ?? source.default_category;
  if (category) origin.fallbackCategory = category;
  if (source.language) origin.language = source.language;
  if (doc.modified) origin.modified = doc.modified;
  return origin;
}

/** The category named by the folder a document is in, when the source asks for that. */
function folderCategory(doc: RawDocument, source: DirectorySourceConfig): string | undefined {
  const folder = path.posix.dirname(doc.key).split("/")[0];
  if (!source.category_from_folder || !folder || folder === ".") return undefined;
  const words = folder.replace(/[-_]+/g, " ").trim();
  return words.charAt(0).toLocaleUpperCase() + words.slice(1);
}

async function collectRemote(
  source: Exclude<SourceConfig, { type: "directory" }>,
  deps: CollectDeps,
  summary: CollectSummary,
  add: (s: Stored) => void,
): Promise<SourceOutcome> {
  const log = deps.logger.child({ component: "collect", sourceId: source.id });
  const now = deps.now();
  const previous = await deps.states.get(source.id);
  if (!deps.force && previous?.nextPoll && previous.nextPoll > now) {
    return { sourceId: source.id, status: "not-due", documents: 0, nextPoll: previous.nextPoll };
  }
  const state: SourceState = {
    ...(previous ?? { sourceId: source.id, consecutiveFailures: 0, items: 0 }),
    lastAttempt: now,
  };
  try {
    const read = await readRemoteSource(source, previous, {
      fetcher: deps.fetcher,
      articles: deps.articles,
      timezone: deps.site.timezone,
      language: source.language ?? deps.site.language,
      fetch: deps.fetch,
    });
    summary.failures.push(...read.failures);
    const ready: ArticleInput[] = [];
    for (const doc of read.documents) {
      summary.documents += 1;
      const origin: DraftOrigin = {
        sourceId: source.id,
        key: doc.key,
        baseUrl: doc.draft.url ?? deps.site.base_url,
        fallbackSlug: doc.draft.title,
      };
      if (source.default_category) origin.fallbackCategory = source.default_category;
      if (source.language) origin.language = source.language;
      try {
        ready.push(normaliseDraft(doc.draft, origin, deps.site, now));
      } catch (error) {
        summary.failures.push({
          sourceId: source.id,
          location: doc.key,
          message: errorMessage(error),
        });
      }
    }
    const stored = await store(deps, ready, add);
    Object.assign(state, {
      lastSuccess: now,
      consecutiveFailures: 0,
      items: read.notModified ? state.items : read.documents.length,
      nextPoll: nextPollAfterSuccess(now, source.min_interval, read.pollFloor),
    });
    for (const key of ["etag", "lastModified", "cursor"] as const) {
      const value = read[key];
      if (value !== undefined) state[key] = value;
    }
    await deps.states.save(state);
    log.info(
      { documents: read.documents.length, notModified: read.notModified, ...stored },
      "source collected",
    );
    return {
      sourceId: source.id,
      status: read.notModified ? "not-modified" : "collected",
      documents: read.documents.length,
      nextPoll: state.nextPoll!,
    };
  } catch (error) {
    const message = errorMessage(error);
    state.consecutiveFailures += 1;
    state.lastError = message;
    state.lastErrorAt = now;
    const retryAfter = retryAfterOf(error);
    state.nextPoll = nextPollAfterFailure(now, state.consecutiveFailures, {
      baseSeconds: deps.fetch.backoff_base,
      maxSeconds: deps.fetch.backoff_max,
      ...(retryAfter === undefined ? {} : { retryAfterSeconds: retryAfter }),
    });
    await deps.states.save(state);
    const location = "url" in source ? source.url : (source.sitemap ?? source.urls[0] ?? source.id);
    summary.failures.push({ sourceId: source.id, location, message });
    log.warn({ err: message, failures: state.consecutiveFailures }, "source failed");
    return {
      sourceId: source.id,
      status: "failed",
      documents: 0,
      nextPoll: state.nextPoll,
      error: message,
    };
  }
}
