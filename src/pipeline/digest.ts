import { randomUUID } from "node:crypto";
import { groupByCategory, renderDigest } from "../compose/index.js";
import type { NewsletterConfig, SiteConfig } from "../config/index.js";
import type { Article } from "../domain/article.js";
import type { DigestContent, Edition, RenderedDigest } from "../domain/digest.js";
import type {
  ArticleRepository,
  EditionRepository,
  SubscriberRepository,
} from "../domain/ports.js";
import type { Logger } from "../shared/logger.js";

/** Settings the digest job reads. */
export interface DigestSettings {
  site: SiteConfig;
  newsletter: NewsletterConfig;
  templatesDir: string;
}

/** The articles the next edition would carry, and the period they cover. */
export async function selectDigestArticles(deps: {
  newsletter: NewsletterConfig;
  articles: ArticleRepository;
  editions: EditionRepository;
  now: Date;
}): Promise<{ articles: Article[]; previous: Edition | undefined }> {
  const previous = await deps.editions.latest();
  // The very first edition has no "since": it carries the newest articles, so that a new
  // installation produces a real digest at once.
  const articles = previous
    ? await deps.articles.collectedAfter(previous.created, deps.newsletter.max_articles)
    : await deps.articles.latest(deps.newsletter.max_articles);
  return { articles, previous };
}

/** Renders a digest of the given articles with the configured templates. */
export function renderEditionDigest(
  articles: Article[],
  previous: Edition | undefined,
  settings: DigestSettings,
  now: Date,
): Promise<RenderedDigest> {
  const content: DigestContent = {
    sections: groupByCategory(articles, settings.site.language),
    articles,
    periodStart: previous?.created ?? null,
    periodEnd: now,
  };
  return renderDigest(content, {
    site: settings.site,
    subjectTemplate: settings.newsletter.subject,
    templatesDir: settings.templatesDir,
    template: settings.newsletter.template,
    date: now,
  });
}

/** Renders the next edition without storing or sending anything; null when there is nothing new. */
export async function previewEdition(deps: {
  settings: DigestSettings;
  articles: ArticleRepository;
  editions: EditionRepository;
  now: Date;
}): Promise<{ rendered: RenderedDigest; articles: Article[] } | null> {
  const { articles, previous } = await selectDigestArticles({
    newsletter: deps.settings.newsletter,
    articles: deps.articles,
    editions: deps.editions,
    now: deps.now,
  });
  if (articles.length === 0) return null;
  return {
    rendered: await renderEditionDigest(articles, previous, deps.settings, deps.now),
    articles,
  };
}

/** What composing the next edition did. */
export type ComposeResult =
  | { edition: Edition; recipients: number }
  | { edition: null; reason: string };

/**
 * Composes the next edition from the articles collected since the previous one, stores it and
 * queues one delivery per active subscriber, all before any message leaves. With nothing new
 * to say, no edition is made: nobody gets an empty digest.
 */
export async function composeEdition(deps: {
  settings: DigestSettings;
  articles: ArticleRepository;
  editions: EditionRepository;
  subscribers: SubscriberRepository;
  now: () => Date;
  logger: Logger;
}): Promise<ComposeResult> {
  const log = deps.logger.child({ component: "digest" });
  const now = deps.now();
  const { articles, previous } = await selectDigestArticles({
    newsletter: deps.settings.newsletter,
    articles: deps.articles,
    editions: deps.editions,
    now,
  });
  if (articles.length === 0) {
    const reason = previous
      ? `no new articles since edition ${previous.id}`
      : "no articles in the store";
    log.info({ reason }, "no edition");
    return { edition: null, reason };
  }
  const rendered = await renderEditionDigest(articles, previous, deps.settings, now);
  const recipients = await deps.subscribers.active();
  const host = new URL(deps.settings.site.base_url).hostname;
  // The Message-ID is fixed when the delivery is queued, so a retry carries the same one.
  const token = randomUUID().replace(/-/g, "").slice(0, 16);
  const edition = await deps.editions.create(
    {
      ...rendered,
      periodStart: previous?.created ?? null,
      periodEnd: now,
      articleIds: articles.map((a) => a.id),
      recipients: recipients.map((s) => ({
        subscriberId: s.id,
        messageId: `<warta.${token}.${s.id}@${host}>`,
      })),
    },
    now,
  );
  log.info({ editionId: edition.id, articles: articles.length }, "edition stored");
  return { edition, recipients: recipients.length };
}
