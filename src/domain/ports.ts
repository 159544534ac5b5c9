import type { Article } from "./article.js";
import type {
  Delivery,
  DeliveryKey,
  DigestSlot,
  Edition,
  PausedEdition,
  SlotVariant,
} from "./digest.js";
import type {
  ConsentSource,
  Frequency,
  NewSubscriber,
  Subscriber,
  SubscriberPatch,
  SubscriberStatus,
} from "./subscriber.js";

/** What storing a batch of articles changed. */
export interface UpsertResult {
  inserted: number;
  updated: number;
  unchanged: number;
  /** Articles recognised as a story already stored from another address or source. */
  merged: number;
}

/** An article as the collector hands it to the store (the store sets firstSeen). */
export type ArticleInput = Omit<Article, "firstSeen"> & {
  /** The URL in canonical form (see canonicalizeUrl), for recognising one story twice. */
  canonicalUrl?: string;
  /** SimHash of the text, for recognising a republished story. */
  fingerprint?: string;
};

/** One source an article was seen in. */
export interface ArticleSourceLink {
  sourceId: string;
  sourceKey: string;
  url: string;
  firstSeen: Date;
}

/** What the store remembers about polling one remote source. */
export interface SourceState {
  sourceId: string;
  etag?: string;
  lastModified?: string;
  /** Source-specific position, such as the newest modified_gmt read from WordPress. */
  cursor?: string;
  lastAttempt?: Date;
  lastSuccess?: Date;
  lastErrorAt?: Date;
  lastError?: string;
  consecutiveFailures: number;
  nextPoll?: Date;
  /** Items the last successful poll found. */
  items: number;
}

/** Polling state of the sources. */
export interface SourceStateRepository {
  get(sourceId: string): Promise<SourceState | undefined>;
  all(): Promise<SourceState[]>;
  save(state: SourceState): Promise<void>;
}

/** Stored articles. */
export interface ArticleRepository {
  /** Inserts new articles, updates edited ones (by content hash), keeps the rest. */
  upsert(articles: ArticleInput[], now: Date): Promise<UpsertResult>;
  /** The newest articles by publication time, optionally of one category. */
  latest(limit: number, categorySlug?: string): Promise<Article[]>;
  /** Articles first stored after the given time, newest first. */
  collectedAfter(after: Date, limit: number): Promise<Article[]>;
  /**
   * Articles first stored in [start, end), newest first (publication time), at most `limit`:
   * those whose language has the given primary subtag ("en" matches "en-GB"), when given, and
   * which are in at least one of the given categories, when the list is not empty.
   */
  firstSeenBetween(
    start: Date,
    end: Date,
    filter: { language?: string; categories?: readonly string[] },
    limit: number,
  ): Promise<Article[]>;
  /** Articles by id, in the order given. */
  byIds(ids: string[]): Promise<Article[]>;
  /** Every category that has at least one article. */
  categories(): Promise<{ slug: string; name: string }[]>;
  count(): Promise<number>;
  /** Every source the article was seen in, first first. */
  sourcesOf(articleId: string): Promise<ArticleSourceLink[]>;
  /** Which of these canonical URLs belong to a stored article. */
  knownUrls(canonicalUrls: string[]): Promise<Set<string>>;
  /**
   * Every article's place in the feeds, newest first (publication time, then id), without its
   * body: its author, category slugs and a `version` that changes whenever the stored article
   * does. Lets a publish tell which feeds changed without rendering them.
   */
  feedStamps(): Promise<
    { id: string; published: Date; author?: string; categories: string[]; version: string }[]
  >;
}

/** Newsletter subscribers. */
export interface SubscriberRepository {
  /** Adds the addresses not known yet; never changes an existing subscriber. Returns how many. */
  addIfAbsent(subscribers: NewSubscriber[], now: Date): Promise<number>;
  /** Adds one subscriber unless the address is known; returns the stored one either way. */
  create(
    subscriber: NewSubscriber,
    now: Date,
  ): Promise<{ subscriber: Subscriber; created: boolean }>;
  byId(id: number): Promise<Subscriber | undefined>;
  /** By normalised address. */
  byEmail(email: string): Promise<Subscriber | undefined>;
  /** Changes preferences; undefined when the subscriber is gone. */
  update(id: number, patch: SubscriberPatch, now: Date): Promise<Subscriber | undefined>;
  /**
   * Changes the status, keeping the timestamps (confirmed, unsubscribed) and, when given, how
   * consent was given. Becoming active resets the hard-bounce count.
   */
  setStatus(
    id: number,
    status: SubscriberStatus,
    now: Date,
    consent?: { source: ConsentSource; ip?: string },
  ): Promise<Subscriber | undefined>;
  /** Erases the person: the subscriber row and their deliveries. False when unknown. */
  erase(email: string): Promise<boolean>;
  /** Subscribers with an id above `afterId`, in id order: for listing and export in pages. */
  page(
    afterId: number,
    limit: number,
    filter?: { status?: SubscriberStatus },
  ): Promise<Subscriber[]>;
  /** Every subscriber (optionally of one status), read page by page. */
  all(filter?: { status?: SubscriberStatus }): AsyncIterable<Subscriber>;
  active(): Promise<Subscriber[]>;
  count(status?: SubscriberStatus): Promise<number>;
}

/** A new edition to store, with the addresses it goes to. */
export interface NewEdition {
  subject: string;
  html: string;
  text: string;
  periodStart: Date | null;
  periodEnd: Date;
  articleIds: string[];
  recipients: { subscriberId: number; messageId: string }[];
}

/** One edition of a slot, as rendered for one variant. */
export interface NewSlotEdition {
  subject: string;
  html: string;
  text: string;
  articleIds: string[];
}

/** What composing a slot produced, to be stored at once. */
export interface ComposedSlot {
  slot: DigestSlot;
  /** Host name of the Message-IDs. */
  host: string;
  /** Period start of subscribers who never got a digest: one period before the slot. */
  defaultStart: Date;
  /** Only subscribers up to this id, those seen when the variants were read, are served. */
  upToId: number;
  /** Every variant of the slot; those without an edition only have their coverage advanced. */
  variants: { variant: SlotVariant; edition: NewSlotEdition | null }[];
}

/** What storing a composed slot did. */
export interface StoredSlot {
  editions: { edition: Edition; recipients: number }[];
  /** Subscribers whose coverage now reaches the slot. */
  covered: number;
}

/** How a failed attempt is written to the delivery log. */
export interface DeliveryOutcome {
  at: Date;
  /** The server's reply or the transport's error. */
  error: string;
  /** The SMTP reply code, when the server answered. */
  smtpCode?: number;
}

/**
 * The delivery log as a work queue shared by every sender process: rows are claimed in batches
 * by one atomic UPDATE, held for a while, and each result is written as it happens.
 */
export interface DeliveryQueue {
  /**
   * Claims up to `limit` due deliveries for `holder` until `until`, in one atomic update: queued
   * rows, deferred rows whose next attempt has come, and `sending` rows whose claim expired (a
   * crashed sender's), of editions not paused and of active subscribers. Each claim counts as
   * an attempt. With `hourlyCap`, fewer are claimed so that those sent in the hour before `now`
   * plus those being sent (any process) stay within it.
   */
  claimDue(
    holder: string,
    limit: number,
    now: Date,
    until: Date,
    hourlyCap?: number,
  ): Promise<Delivery[]>;
  /** Moves the claims `holder` still has on `sending` rows to `until`; returns how many. */
  extendClaims(holder: string, until: Date): Promise<number>;
  /** Puts rows claimed by `holder` but not attempted back to queued, giving the attempt back. */
  releaseClaims(holder: string, keys: DeliveryKey[], at: Date): Promise<number>;
  /** Records a message the server accepted; the subscriber's hard bounce count starts over. */
  recordSent(
    key: DeliveryKey & { hardBounces?: number },
    at: Date,
    response: string,
  ): Promise<void>;
  /** Records a temporary failure: the row is due again at `nextAttemptAt`. */
  recordDeferred(key: DeliveryKey, outcome: DeliveryOutcome, nextAttemptAt: Date): Promise<void>;
  /** Records a message given up after retrying for too long. */
  recordFailed(key: DeliveryKey, outcome: DeliveryOutcome): Promise<void>;
  /**
   * Records a permanent refusal (5xx) and counts a hard bounce for the subscriber, who becomes
   * `bounced` at `bounceLimit`. Returns whether that happened.
   */
  recordBounced(key: DeliveryKey, outcome: DeliveryOutcome, bounceLimit: number): Promise<boolean>;
  /** Messages sent since `since`, by every process. */
  sentSince(since: Date): Promise<number>;
  /** Deliveries due at `now` (what claimDue could take), of active subscribers. */
  dueCount(now: Date): Promise<number>;
  /** Deliveries not finished yet (queued, deferred or sending) of active subscribers. */
  waitingCount(): Promise<number>;
  /** Pauses the editions with a reason; their deliveries are not claimed until resumed. */
  pauseEditions(editionIds: number[], at: Date, reason: string): Promise<void>;
  /**
   * Resumes one paused edition, or every one: clears the pause and makes their deferred
   * deliveries due at `now`. Returns the ids resumed.
   */
  resumeEditions(editionId: number | undefined, now: Date): Promise<number[]>;
  /** The editions paused now. */
  pausedEditions(): Promise<PausedEdition[]>;
  /** How many deliveries are in each status: of one edition, or of all. */
  deliveryCounts(editionId?: number): Promise<Record<string, number>>;
}

/** Editions of the newsletter and their deliveries. */
export interface EditionRepository extends DeliveryQueue {
  /** Stores the edition and queues one delivery per recipient, in one transaction. */
  create(edition: NewEdition, now: Date): Promise<Edition>;
  /** Every (frequency, time zone) pair of active subscribers, with how many there are. */
  digestGroups(): Promise<{ frequency: Frequency; timezone: string; subscribers: number }[]>;
  /** Whether the slot has been composed already. */
  slotComposed(slot: DigestSlot): Promise<boolean>;
  /**
   * The variants of a slot: its active subscribers grouped by language, categories and period
   * start (covered_until, or `defaultStart` for those who never got a digest), and the highest
   * subscriber id seen. Reads groups, never the subscribers one by one.
   */
  slotVariants(
    slot: DigestSlot,
    defaultStart: Date,
  ): Promise<{ variants: SlotVariant[]; upToId: number }>;
  /**
   * In one transaction: stores the slot's editions, queues a delivery for each subscriber of
   * each edition's variant (INSERT ... SELECT), moves every variant's coverage up to the slot
   * and records the slot. Null, and nothing changed, when the slot was already composed.
   */
  storeSlot(composed: ComposedSlot, now: Date): Promise<StoredSlot | null>;
  latest(): Promise<Edition | undefined>;
  byId(id: number): Promise<Edition | undefined>;
  /** Deliveries still queued, oldest edition first (a look at the queue: senders use claimDue). */
  queued(limit: number): Promise<Delivery[]>;
  /** How many deliveries are still queued. */
  queuedCount(): Promise<number>;
  markSent(editionId: number, subscriberId: number, at: Date, response: string): Promise<void>;
  markFailed(editionId: number, subscriberId: number, at: Date, error: string): Promise<void>;
  /** The newest editions, newest first. */
  newest(limit: number): Promise<Edition[]>;
  /** The id of every edition, newest first. */
  ids(): Promise<number[]>;
}

/** One e-mail message, ready for a transport. */
export interface OutgoingMessage {
  from: string;
  replyTo?: string;
  to: { address: string; name?: string };
  subject: string;
  /** UTF-8 bytes or a string; a digest filled per reader comes as bytes (cheaper to build). */
  html: string | Buffer;
  text: string | Buffer;
  messageId: string;
  date: Date;
  headers: Record<string, string>;
  /**
   * The complete message (headers and body, CRLF line endings) made from the fields above, when
   * the sender built it itself (a digest: encoded once per edition, joined per reader). Mailers
   * send these bytes as they are; the other fields are then only for logs and tests.
   */
  raw?: Buffer;
}

/** What a transport reports for one accepted message. */
export interface SendReceipt {
  messageId: string;
  response: string;
  /** Where the message went: an SMTP server or an outbox file. */
  location: string;
}

/** Sends e-mail. Implementations: SMTP through Nodemailer, an outbox folder of .eml files. */
export interface Mailer {
  readonly kind: string;
  /** How many messages it can usefully have in flight at once (pooled connections); default 1. */
  readonly concurrency?: number;
  send(message: OutgoingMessage): Promise<SendReceipt>;
  close(): Promise<void>;
}

/** Writes files into the public tree so that readers never see a half-written file. */
export interface FileWriter {
  /** Writes the file atomically; returns false when the bytes on disk were already identical. */
  write(relativePath: string, body: string): Promise<boolean>;
  readonly root: string;
}

/** What one round of hub notifications achieved: failures are reported, never thrown. */
export interface HubNotifyResult {
  /** Feed URLs the hub accepted (answered 2xx). */
  notified: string[];
  /** Feed URLs the hub did not accept, each with the reason. */
  failed: { url: string; error: string }[];
}

/** Tells a WebSub hub that feeds changed, so that it pushes them to subscribers. */
export interface HubNotifier {
  /** Notifies the hub of each feed URL; a hub outage shows in the result and cannot fail a publish. */
  notify(feedUrls: string[]): Promise<HubNotifyResult>;
}
