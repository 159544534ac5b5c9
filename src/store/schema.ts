import type { Generated } from "kysely";

/**
 * Row types of the store. Times are ISO 8601 strings in UTC ("2024-05-04T03:00:00.000Z"):
 * they sort as text and read the same in SQLite and PostgreSQL.
 */
export interface ArticlesTable {
  id: string;
  source_id: string;
  source_key: string;
  url: string;
  title: string;
  summary: string;
  content_html: string;
  content_text: string;
  author: string | null;
  language: string;
  tags: string;
  published_at: string;
  updated_at: string;
  image: string | null;
  dateline: string | null;
  credit: string | null;
  content_hash: string;
  first_seen_at: string;
  changed_at: string;
  canonical_url: string | null;
  fingerprint: string | null;
}

export interface ArticleSourcesTable {
  source_id: string;
  source_key: string;
  article_id: string;
  url: string;
  first_seen_at: string;
  last_seen_at: string;
}

export interface SourceStateTable {
  source_id: string;
  etag: string | null;
  last_modified: string | null;
  cursor: string | null;
  last_attempt_at: string | null;
  last_success_at: string | null;
  last_error_at: string | null;
  last_error: string | null;
  consecutive_failures: number;
  next_poll_at: string | null;
  items: number;
}

export interface CategoriesTable {
  slug: string;
  name: string;
}

export interface ArticleCategoriesTable {
  article_id: string;
  category_slug: string;
  position: number;
}

export interface SubscribersTable {
  id: Generated<number>;
  email: string;
  name: string | null;
  language: string;
  timezone: string;
  status: string;
  created_at: string;
  updated_at: string;
  frequency: Generated<string>;
  /** JSON array of category slugs; [] means every category. */
  categories: Generated<string>;
  confirmed_at: string | null;
  unsubscribed_at: string | null;
  consent_source: Generated<string>;
  consent_ip: string | null;
  /** End of the period the subscriber's last digest covered. */
  covered_until: string | null;
  hard_bounces: Generated<number>;
}

export interface EditionsTable {
  id: Generated<number>;
  created_at: string;
  subject: string;
  html: string;
  text: string;
  period_start: string | null;
  period_end: string;
  frequency: Generated<string>;
  timezone: Generated<string>;
  language: Generated<string>;
  /** Sorted category slugs joined by commas; "" means every category. */
  segment: Generated<string>;
  slot_at: string | null;
  variant_key: string | null;
  /** Set when sending stopped after too many transport errors; cleared by `send --resume`. */
  paused_at: Generated<string | null>;
  paused_reason: Generated<string | null>;
}

export interface DigestSlotsTable {
  frequency: string;
  timezone: string;
  slot_at: string;
  composed_at: string;
  editions: number;
  recipients: number;
}

export interface EditionArticlesTable {
  edition_id: number;
  article_id: string;
  position: number;
}

/** The delivery log: one row per (edition, subscriber), whatever happens to the message. */
export interface DeliveriesTable {
  edition_id: number;
  subscriber_id: number;
  /** queued | sending | sent | deferred | failed | bounced */
  status: string;
  message_id: string;
  /** Claims so far (a claim counts as an attempt; a released claim gives it back). */
  attempts: number;
  last_error: string | null;
  last_response: string | null;
  /** The SMTP reply code of the last attempt, when the server answered. */
  smtp_code: Generated<number | null>;
  queued_at: string;
  first_attempt_at: Generated<string | null>;
  updated_at: Generated<string | null>;
  sent_at: string | null;
  /** When a deferred message is due again. */
  next_attempt_at: Generated<string | null>;
  /** The sender process holding the row while it is `sending`, and until when. */
  claimed_by: Generated<string | null>;
  claimed_until: Generated<string | null>;
}

export interface JobStateTable {
  job: string;
  holder: string | null;
  lease_expires_at: string | null;
  last_started_at: string | null;
  last_finished_at: string | null;
  last_success_at: string | null;
  last_failure_at: string | null;
  last_error: string | null;
  last_duration_ms: number | null;
  runs: Generated<number>;
  failures: Generated<number>;
}

export interface Database {
  articles: ArticlesTable;
  article_sources: ArticleSourcesTable;
  source_state: SourceStateTable;
  categories: CategoriesTable;
  article_categories: ArticleCategoriesTable;
  subscribers: SubscribersTable;
  editions: EditionsTable;
  edition_articles: EditionArticlesTable;
  deliveries: DeliveriesTable;
  digest_slots: DigestSlotsTable;
  job_state: JobStateTable;
}
