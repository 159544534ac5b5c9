import { PersonalizedTemplate } from "../compose/index.js";
import type { HubNotifyResult } from "../domain/ports.js";
import type { Frequency } from "../domain/subscriber.js";
import { countMessages } from "../metrics/index.js";
import type { PreviewFiles } from "../preview/index.js";
import { pageUrl } from "../subscriptions/links.js";
import { type CollectSummary, collectSources } from "./collect.js";
import type { PipelineContext } from "./context.js";
import {
  type ComposeResult,
  composeDigests,
  type DigestSettings,
  type EditionPreview,
  previewEdition,
} from "./digest.js";
import { type PublishSummary, publishFeeds } from "./publish.js";
import { sampleRecipient } from "./segments.js";
import { type SendOptions, type SendSummary, sendQueued } from "./send.js";
import { type ImportSummary, importSubscribers } from "./subscribers.js";

/** The scheduled jobs, by name. */
export const jobNames = ["collect", "publish", "digest"] as const;
export type JobName = (typeof jobNames)[number];

/** Collects every source into the store. */
export function runCollect(
  ctx: PipelineContext,
  options: { force?: boolean } = {},
): Promise<CollectSummary> {
  return collectSources({
    sources: ctx.config.sources,
    site: ctx.config.site,
    fetch: ctx.config.fetch,
    articles: ctx.articles,
    states: ctx.sourceStates,
    fetcher: ctx.fetcher,
    now: ctx.now,
    logger: ctx.logger,
    force: options.force ?? false,
  });
}

/** What the publish job did, and which hub notifications went out. */
export interface PublishJobSummary extends PublishSummary {
  hub: HubNotifyResult | null;
}

/**
 * Writes every feed from the store; with a WebSub hub configured, then tells the hub which
 * subscription feeds changed (archive pages are not subscribed to, so they are left out).
 */
export async function runPublish(ctx: PipelineContext): Promise<PublishJobSummary> {
  const summary = await publishFeeds({
    site: ctx.config.site,
    feeds: ctx.config.feeds,
    articles: ctx.articles,
    editions: ctx.editions,
    files: ctx.publicFiles,
    logger: ctx.logger,
  });
  const hub = ctx.hub?.();
  if (!hub) return { ...summary, hub: null };
  const changed = summary.written
    .filter((file) => /^feeds\/.*\.(xml|json)$/.test(file) && !file.startsWith("feeds/archive/"))
    .map((file) => new URL(file, ctx.config.site.base_url).toString());
  const result = changed.length > 0 ? await hub.notify(changed) : { notified: [], failed: [] };
  for (const failure of result.failed) {
    ctx.logger.warn({ component: "websub", err: failure.error }, "hub notification failed");
  }
  return { ...summary, hub: result };
}

/**
 * Sends what is due through the configured transport; `options` carries the stop signal, the
 * progress callback and `--resume`.
 */
export async function runSend(
  ctx: PipelineContext,
  options: SendOptions = {},
): Promise<SendSummary> {
  // Every send, by hand or scheduled, counts into this process's message metrics.
  const count = ctx.metrics ? countMessages(ctx.metrics) : undefined;
  const onProgress: SendOptions["onProgress"] =
    count && options.onProgress
      ? (progress) => {
          count(progress);
          options.onProgress?.(progress);
        }
      : (count ?? options.onProgress);
  return sendQueued({
    site: ctx.config.site,
    mail: ctx.config.mail,
    newsletter: ctx.config.newsletter,
    tokens: ctx.tokens,
    editions: ctx.editions,
    mailer: ctx.mailer(),
    now: ctx.now,
    logger: ctx.logger,
    ...options,
    ...(onProgress ? { onProgress } : {}),
  });
}

function digestSettings(ctx: PipelineContext): DigestSettings {
  return {
    site: ctx.config.site,
    newsletter: ctx.config.newsletter,
    templatesDir: ctx.config.paths.templates,
  };
}

/** Which segment to preview, and where. */
export interface PreviewOptions {
  folder: string;
  language?: string;
  categories?: string[];
  frequency?: Frequency;
}

/** What a preview run wrote; null `preview` when no article matches the segment. */
export interface PreviewSummary {
  preview: EditionPreview | null;
  files: PreviewFiles | null;
}

/**
 * Renders the edition a segment would get now, fills it for a sample reader and writes it with
 * its screenshots into a folder (see writePreview), storing and sending nothing.
 */
export async function runPreview(
  ctx: PipelineContext,
  options: PreviewOptions,
): Promise<PreviewSummary> {
  const segment: Parameters<typeof previewEdition>[0]["segment"] = {};
  if (options.language) segment.language = options.language;
  if (options.categories) segment.categories = options.categories;
  if (options.frequency) segment.frequency = options.frequency;
  const preview = await previewEdition({
    settings: digestSettings(ctx),
    articles: ctx.articles,
    now: ctx.now(),
    segment,
  });
  if (!preview) return { preview, files: null };
  const { site } = ctx.config;
  const values = sampleRecipient(
    site.base_url,
    preview.segment.language,
    pageUrl(site.base_url, "archive"),
    preview.slot.frequency,
  );
  // Loaded here only: the browser driver weighs on the start-up of every other command.
  const { writePreview } = await import("../preview/index.js");
  const files = await writePreview(
    options.folder,
    {
      html: PersonalizedTemplate.compile(preview.rendered.html, "html").fill(values),
      text: PersonalizedTemplate.compile(preview.rendered.text, "text").fill(values),
    },
    { chromium: ctx.config.preview.chromium },
  );
  return { preview, files };
}

/** What the digest job did. */
export interface DigestJobSummary {
  imported: ImportSummary | null;
  compose: ComposeResult;
  send: SendSummary;
}

/**
 * Imports the subscribers file, composes the digests due and sends what is queued. Scheduled
 * (the default), it composes each time zone's slot once it is due; `byHand` (warta digest),
 * it composes a slot at this very moment for every group of subscribers.
 */
export async function runDigest(
  ctx: PipelineContext,
  options: { byHand?: boolean; stop?: AbortSignal } = {},
): Promise<DigestJobSummary> {
  const file = ctx.config.newsletter.subscribers_file;
  const imported = file
    ? await importSubscribers({
        file,
        subscribers: ctx.subscribers,
        now: ctx.now,
        logger: ctx.logger,
      })
    : null;
  const compose = await composeDigests({
    settings: digestSettings(ctx),
    articles: ctx.articles,
    editions: ctx.editions,
    now: ctx.now,
    logger: ctx.logger,
    byHand: options.byHand ?? false,
  });
  // Also sends deliveries left queued by an earlier run, so nothing queued is forgotten.
  const send = await runSend(ctx, options.stop ? { stop: options.stop } : {});
  return { imported, compose, send };
}

/** Runs one job by name. */
export function runJob(ctx: PipelineContext, name: JobName): Promise<unknown> {
  switch (name) {
    case "collect":
      return runCollect(ctx);
    case "publish":
      return runPublish(ctx);
    case "digest":
      return runDigest(ctx);
  }
}
