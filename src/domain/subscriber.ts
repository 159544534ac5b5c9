export type SubscriberStatus = "pending" | "active" | "unsubscribed" | "bounced" | "complained";
export const subscriberStatuses: readonly SubscriberStatus[] = [
  "pending",
  "active",
  "unsubscribed",
  "bounced",
  "complained",
];

/** How often a subscriber gets a digest. */
export type Frequency = "daily" | "weekly";
export const frequencies: readonly Frequency[] = ["daily", "weekly"];

/** How a subscription came about. */
export type ConsentSource = "form" | "import" | "cli";

/** A newsletter recipient. */
export interface Subscriber {
  id: number;
  /** Normalised address (trimmed, lower-cased, domain in ASCII). */
  email: string;
  name?: string;
  /** Language of the digest and pages: "id" or "en". */
  language: string;
  /** IANA time zone; digests arrive at the configured hour of this zone. */
  timezone: string;
  status: SubscriberStatus;
  frequency: Frequency;
  /** Category slugs the subscriber wants; empty means every category. */
  categories: string[];
  created: Date;
  updated: Date;
  confirmed?: Date;
  unsubscribed?: Date;
  consentSource: ConsentSource;
  consentIp?: string;
  /** End of the period the last digest covered; the next digest starts there. */
  coveredUntil?: Date;
  hardBounces: number;
}

/** A subscriber to be added (from a file, a form or the CLI). */
export interface NewSubscriber {
  email: string;
  name?: string;
  language?: string;
  timezone?: string;
  status?: SubscriberStatus;
  frequency?: Frequency;
  categories?: string[];
  consentSource?: ConsentSource;
  consentIp?: string;
}

/** What a subscriber may change on the preferences page (and the operator with the CLI). */
export interface SubscriberPatch {
  name?: string | null;
  language?: string;
  timezone?: string;
  frequency?: Frequency;
  categories?: string[];
}
