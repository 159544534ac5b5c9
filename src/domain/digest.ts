import type { Article, Category } from "./article.js";
import type { Frequency } from "./subscriber.js";

/** Articles of one category inside a digest. */
export interface DigestSection {
  category: Category;
  articles: Article[];
}

/** What a digest is composed from: the articles, grouped, and the period they cover. */
export interface DigestContent {
  sections: DigestSection[];
  articles: Article[];
  periodStart: Date | null;
  periodEnd: Date;
}

/**
 * A composed digest, ready to be stored and mailed. Its html and text hold recipient
 * placeholders (greeting, name, links) that the sender fills for each recipient.
 */
export interface RenderedDigest {
  subject: string;
  html: string;
  text: string;
  /** Articles shown as full cards; the rest were listed as headlines (to fit max_html_bytes). */
  fullArticles?: number;
  headlines?: number;
}

/** A stored edition of the newsletter: one variant (segment, language) of one digest slot. */
export interface Edition {
  id: number;
  created: Date;
  subject: string;
  html: string;
  text: string;
  periodStart: Date | null;
  periodEnd: Date;
  articleIds: string[];
  /*
   * Who the edition was made for. The store always sets these; they are optional so that
   * editions made up elsewhere (feed tests) need not. Editions stored before segments existed
   * have "" for the time zone and language.
   */
  frequency?: Frequency;
  /** IANA time zone of the slot. */
  timezone?: string;
  /** Language of the edition's readers. */
  language?: string;
  /** Category slugs of the segment, sorted; empty for every category. */
  segment?: string[];
  /** The slot the edition was composed for. */
  slotAt?: Date | null;
}

/** A digest slot: the moment one frequency's digest is due in one time zone. */
export interface DigestSlot {
  frequency: Frequency;
  timezone: string;
  at: Date;
}

/**
 * Active subscribers of one slot who get the same edition: same language, same categories,
 * same period start (where their last digest ended, or one period before the slot).
 */
export interface SlotVariant {
  language: string;
  /** Sorted category slugs; empty for every category. */
  categories: string[];
  start: Date;
  subscribers: number;
}

/**
 * Where one message stands: waiting (queued), claimed by a sender (sending), accepted by the
 * server (sent), refused for now and due again later (deferred), given up after retrying
 * (failed), or refused for good with a 5xx (bounced).
 */
export type DeliveryStatus = "queued" | "sending" | "sent" | "deferred" | "failed" | "bounced";

/** One message of an edition to one subscriber. */
export interface Delivery {
  editionId: number;
  subscriberId: number;
  email: string;
  name?: string;
  /** The subscriber's language, for the greeting. */
  language: string;
  status: DeliveryStatus;
  messageId: string;
  /** Attempts so far, the current one included once claimed. */
  attempts: number;
  /** When the edition queued it: retries stop mail.retry_for_hours after. */
  queuedAt: Date;
  lastError?: string;
  sentAt?: Date;
  /** The subscriber's hard bounces in a row when the delivery was claimed. */
  hardBounces?: number;
}

/** Identifies one delivery: an edition's message to one subscriber. */
export interface DeliveryKey {
  editionId: number;
  subscriberId: number;
}

/** An edition whose sending is paused, and why. */
export interface PausedEdition {
  editionId: number;
  at: Date;
  reason: string;
}

/**
 * The Message-ID of one edition's message to one subscriber: derived from both, so that a retry
 * or a resend carries the same one. The store builds the same string in SQL when queueing.
 */
export function digestMessageId(editionId: number, subscriberId: number, host: string): string {
  return `<warta.e${editionId}.s${subscriberId}@${host}>`;
}
