import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type Config, resolveConfig } from "../../src/config/index.js";
import type { Category } from "../../src/domain/article.js";
import type { ArticleInput } from "../../src/domain/index.js";
import type { Mailer } from "../../src/domain/ports.js";
import type { NewSubscriber, Subscriber } from "../../src/domain/subscriber.js";
import { composeDigests, type DigestSettings, sendQueued } from "../../src/pipeline/index.js";
import { silentLogger } from "../../src/shared/logger.js";
import {
  type Db,
  openDatabase,
  SqlArticleRepository,
  SqlEditionRepository,
  SqlSubscriberRepository,
} from "../../src/store/index.js";
import { TokenSigner } from "../../src/subscriptions/tokens.js";
import { newStoreSpec } from "../helpers/store.js";
import { repoRoot, workspaceConfig } from "../helpers/workspace.js";

/** The secret the harness signs links with; tests verify links with their own signer. */
export const testSecret = "digest-tests-secret-0123456789-abcdefghij";

/** A delivery row as stored. */
export interface DeliveryRow {
  edition_id: number;
  subscriber_id: number;
  status: string;
  message_id: string;
}

/**
 * A real store (an SQLite file, or a PostgreSQL schema in the postgres run) with the digest and
 * send jobs bound to it and a settable clock.
 */
export interface DigestHarness {
  root: string;
  db: Db;
  config: Config;
  articles: SqlArticleRepository;
  editions: SqlEditionRepository;
  subscribers: SqlSubscriberRepository;
  tokens: TokenSigner;
  /** The clock every job reads. */
  setNow: (iso: string) => void;
  now: () => Date;
  /** Stores articles as first seen at `firstSeen`. */
  collect: (firstSeen: string, ...articles: ArticleInput[]) => Promise<void>;
  subscribe: (subscriber: NewSubscriber) => Promise<Subscriber>;
  compose: (options?: { byHand?: boolean }) => ReturnType<typeof composeDigests>;
  send: (mailer: Mailer) => ReturnType<typeof sendQueued>;
  deliveries: () => Promise<DeliveryRow[]>;
  /** (subscriber email, article id) for every delivery: who got which article. */
  received: () => Promise<{ email: string; articleId: string; editionId: number }[]>;
  close: () => Promise<void>;
}

/** Opens a fresh store file; `newsletter` overrides the newsletter settings. */
export async function openDigestHarness(
  overrides: { newsletter?: Record<string, unknown>; mail?: Record<string, unknown> } = {},
): Promise<DigestHarness> {
  const root = mkdtempSync(path.join(tmpdir(), "warta-digest-"));
  const store = newStoreSpec(path.join(root, "data"));
  const db = await openDatabase(store);
  const raw = workspaceConfig({
    store,
    newsletter: { max_articles: 50, ...overrides.newsletter },
    ...(overrides.mail ? { mail: overrides.mail } : {}),
  });
  const config = resolveConfig(raw, { baseDir: path.join(root, "config"), env: {} });
  const articles = new SqlArticleRepository(db);
  const editions = new SqlEditionRepository(db);
  const subscribers = new SqlSubscriberRepository(db, {
    language: config.site.language,
    timezone: config.site.timezone,
    frequency: config.newsletter.default_frequency,
  });
  const tokens = new TokenSigner(testSecret);
  let current = new Date("2024-05-04T00:00:00Z");
  const now = () => new Date(current);
  const settings: DigestSettings = {
    site: config.site,
    newsletter: config.newsletter,
    templatesDir: path.join(repoRoot, "templates"),
  };
  return {
    root,
    db,
    config,
    articles,
    editions,
    subscribers,
    tokens,
    now,
    setNow: (iso) => {
      current = new Date(iso);
    },
    collect: async (firstSeen, ...list) => {
      await articles.upsert(list, new Date(firstSeen));
    },
    subscribe: async (subscriber) => (await subscribers.create(subscriber, now())).subscriber,
    compose: (options = {}) =>
      composeDigests({
        settings,
        articles,
        editions,
        now,
        logger: silentLogger(),
        byHand: options.byHand ?? false,
      }),
    send: (mailer) =>
      sendQueued({
        site: config.site,
        mail: config.mail,
        newsletter: config.newsletter,
        tokens,
        editions,
        mailer,
        now,
        logger: silentLogger(),
      }),
    deliveries: () =>
      db
        .selectFrom("deliveries")
        .select(["edition_id", "subscriber_id", "status", "message_id"])
        .orderBy("edition_id")
        .orderBy("subscriber_id")
        .execute(),
    received: () =>
      db
        .selectFrom("deliveries")
        .innerJoin("subscribers", "subscribers.id", "deliveries.subscriber_id")
        .innerJoin("edition_articles", "edition_articles.edition_id", "deliveries.edition_id")
        .select([
          "subscribers.email as email",
          "edition_articles.article_id as articleId",
          "deliveries.edition_id as editionId",
        ])
        .orderBy("subscribers.email")
        .orderBy("edition_articles.article_id")
        .execute(),
    close: async () => {
      await db.destroy();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

const categoryNames: Record<string, string> = {
  ekonomi: "Ekonomi",
  olahraga: "Olahraga",
  daerah: "Daerah",
  teknologi: "Teknologi",
};

/** An article in one category and language, published at `published`. */
export function story(
  id: string,
  options: {
    category?: string;
    language?: string;
    title?: string;
    published?: string;
  } = {},
): ArticleInput {
  const category: Category[] = options.category
    ? [{ slug: options.category, name: categoryNames[options.category] ?? options.category }]
    : [];
  const published = new Date(options.published ?? "2024-05-03T03:00:00Z");
  return {
    id,
    sourceId: "local",
    sourceKey: `${id}.md`,
    url: `https://news.example.org/artikel/${id}/`,
    title: options.title ?? `Berita ${id}`,
    summary: `Ringkasan ${id}.`,
    contentHtml: `<p>Isi ${id}.</p>`,
    contentText: `Isi ${id}.`,
    categories: category,
    tags: [],
    language: options.language ?? "id",
    published,
    updated: published,
    contentHash: `hash-${id}`,
  };
}
