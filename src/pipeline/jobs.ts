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

/** Writes every feed from the store. */
export function runPublish(ctx: PipelineContext): Promise<PublishSummary> {
  return publishFeeds({
    site: ctx.config.site,
    feeds: ctx.config.feeds,
    articles: ctx.articles,
    files: ctx.publicFiles,
    logger: ctx.logger,
  });
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
