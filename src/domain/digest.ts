import type { Article, Category } from "./article.js";

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

/** A composed digest, ready to be stored and mailed. */
export interface RenderedDigest {
  subject: string;
  html: string;
  text: string;
}

/** A stored edition of the newsletter. */
export interface Edition {
  id: number;
  created: Date;
  subject: string;
  html: string;
  text: string;
  periodStart: Date | null;
  periodEnd: Date;
  articleIds: string[];
}

export type DeliveryStatus = "queued" | "sent" | "failed";

/** One message of an edition to one subscriber. */
export interface Delivery {
  editionId: number;
  subscriberId: number;
  email: string;
  name?: string;
  status: DeliveryStatus;
  messageId: string;
  attempts: number;
  lastError?: string;
  sentAt?: Date;
}
