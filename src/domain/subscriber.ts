export type SubscriberStatus = "pending" | "active" | "unsubscribed" | "bounced" | "complained";

/** A newsletter recipient. */
export interface Subscriber {
  id: number;
  /** Normalised address (lower-cased domain and local part). */
  email: string;
  name?: string;
  language: string;
  timezone: string;
  status: SubscriberStatus;
  created: Date;
}

/** A subscriber to be added (from a file, a form or the CLI). */
export interface NewSubscriber {
  email: string;
  name?: string;
  language?: string;
  timezone?: string;
  status?: SubscriberStatus;
}
