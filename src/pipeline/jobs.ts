import type { HubNotifyResult } from "../domain/ports.js";
import { type CollectSummary, collectSources } from "./collect.js";
import type { PipelineContext } from "./context.js";
import {
  type ComposeResult,
  composeEdition,
  type DigestSettings,
  previewEdition,
} from "./digest.js";
import { type PublishSummary, publishFeeds } from "./publish.js";
import { type SendSummary, sendQueued } from "./send.js";
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

/** Sends whatever is queued through the configured transport. */
export async function runSend(ctx: PipelineContext): Promise<SendSummary> {
  return sendQueued({
    site: ctx.config.site,
    mail: ctx.config.mail,
    editions: ctx.editions,
    mailer: ctx.mailer(),
    now: ctx.now,
    logger: ctx.logger,
  });
}

function digestSettings(ctx: PipelineContext): DigestSettings {
  return {
    site: ctx.config.site,
    newsletter: ctx.config.newsletter,
    templatesDir: ctx.config.paths.templates,
  };
}

/** Renders the next edition as the digest job would, storing and sending nothing. */
export function runPreview(ctx: PipelineContext) {
  return previewEdition({
    settings: digestSettings(ctx),
    articles: ctx.articles,
    editions: ctx.editions,
    now: ctx.now(),
  });
}

/** What the digest job did. */
export interface DigestJobSummary {
  imported: ImportSummary | null;
  compose: ComposeResult;
  send: SendSummary;
}

/** Composes the next edition (importing the subscribers file first) and sends what is queued. */
export async function runDigest(ctx: PipelineContext): Promise<DigestJobSummary> {
  const file = ctx.config.newsletter.subscribers_file;
  const imported = file
    ? await importSubscribers({
        file,
        subscribers: ctx.subscribers,
        now: ctx.now,
        logger: ctx.logger,
      })
    : null;
  const compose = await composeEdition({
    settings: digestSettings(ctx),
    articles: ctx.articles,
    editions: ctx.editions,
    subscribers: ctx.subscribers,
    now: ctx.now,
    logger: ctx.logger,
  });
  // Also sends deliveries left queued by an earlier run, so nothing queued is forgotten.
  const send = await runSend(ctx);
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
