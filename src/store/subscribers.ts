import type { Updateable } from "kysely";
import type { SubscriberRepository } from "../domain/ports.js";
import type {
  ConsentSource,
  Frequency,
  NewSubscriber,
  Subscriber,
  SubscriberPatch,
  SubscriberStatus,
} from "../domain/subscriber.js";
import type { Db } from "./database.js";
import type { SubscribersTable } from "./schema.js";

type SubscriberRow = Omit<
  SubscribersTable,
  "id" | "frequency" | "categories" | "consent_source" | "hard_bounces"
> & {
  id: number;
  frequency: string;
  categories: string;
  consent_source: string;
  hard_bounces: number;
};

/** Rows inserted per statement when importing (SQLite allows 32,766 variables per statement). */
const INSERT_CHUNK = 500;

/**
 * Subscribers in the SQL store. Addresses are stored normalised (see normaliseAddress) and are
 * unique without regard to case.
 */
export class SqlSubscriberRepository implements SubscriberRepository {
  constructor(
    private readonly db: Db,
    private readonly defaults: { language: string; timezone: string; frequency?: Frequency },
  ) {}

  async addIfAbsent(subscribers: NewSubscriber[], now: Date): Promise<number> {
    if (subscribers.length === 0) return 0;
    let added = 0;
    await this.db.transaction().execute(async (trx) => {
      for (let start = 0; start < subscribers.length; start += INSERT_CHUNK) {
        const rows = subscribers
          .slice(start, start + INSERT_CHUNK)
          .map((subscriber) => this.toRow(subscriber, now));
        const result = await trx
          .insertInto("subscribers")
          .values(rows)
          .onConflict((oc) => oc.column("email").doNothing())
          .executeTakeFirst();
        added += Number(result.numInsertedOrUpdatedRows ?? 0);
      }
    });
    return added;
  }

  async create(
    subscriber: NewSubscriber,
    now: Date,
  ): Promise<{ subscriber: Subscriber; created: boolean }> {
    const result = await this.db
      .insertInto("subscribers")
      .values(this.toRow(subscriber, now))
      .onConflict((oc) => oc.column("email").doNothing())
      .executeTakeFirst();
    const created = Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
    const stored = await this.byEmail(subscriber.email);
    if (!stored) throw new Error(`store: subscriber ${subscriber.email} vanished after insert`);
    return { subscriber: stored, created };
  }

  async byId(id: number): Promise<Subscriber | undefined> {
    const row = await this.db
      .selectFrom("subscribers")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirst();
    return row ? toSubscriber(row as SubscriberRow) : undefined;
  }

  async byEmail(email: string): Promise<Subscriber | undefined> {
    const row = await this.db
      .selectFrom("subscribers")
      .selectAll()
      .where("email", "=", email.toLowerCase())
      .executeTakeFirst();
    return row ? toSubscriber(row as SubscriberRow) : undefined;
  }

  async update(id: number, patch: SubscriberPatch, now: Date): Promise<Subscriber | undefined> {
    const values: Updateable<SubscribersTable> = {
      updated_at: now.toISOString(),
    };
    if (patch.name !== undefined) values.name = patch.name?.trim() || null;
    if (patch.language !== undefined) values.language = patch.language;
    if (patch.timezone !== undefined) values.timezone = patch.timezone;
    if (patch.frequency !== undefined) values.frequency = patch.frequency;
    if (patch.categories !== undefined) values.categories = encodeCategories(patch.categories);
    await this.db.updateTable("subscribers").set(values).where("id", "=", id).execute();
    return this.byId(id);
  }

  async setStatus(
    id: number,
    status: SubscriberStatus,
    now: Date,
    consent?: { source: ConsentSource; ip?: string },
  ): Promise<Subscriber | undefined> {
    const stamp = now.toISOString();
    const values: Updateable<SubscribersTable> = {
      status,
      updated_at: stamp,
    };
    if (status === "active") {
      values.confirmed_at = stamp;
      values.unsubscribed_at = null;
      values.hard_bounces = 0;
    }
    if (status === "pending") values.unsubscribed_at = null;
    if (status === "unsubscribed") values.unsubscribed_at = stamp;
    if (consent) {
      values.consent_source = consent.source;
      values.consent_ip = consent.ip ?? null;
    }
    await this.db.updateTable("subscribers").set(values).where("id", "=", id).execute();
    return this.byId(id);
  }

  async erase(email: string): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom("subscribers")
        .select("id")
        .where("email", "=", email.toLowerCase())
        .executeTakeFirst();
      if (!row) return false;
      await trx.deleteFrom("deliveries").where("subscriber_id", "=", row.id).execute();
      await trx.deleteFrom("subscribers").where("id", "=", row.id).execute();
      return true;
    });
  }

  async page(
    afterId: number,
    limit: number,
    filter: { status?: SubscriberStatus } = {},
  ): Promise<Subscriber[]> {
    let query = this.db
      .selectFrom("subscribers")
      .selectAll()
      .where("id", ">", afterId)
      .orderBy("id")
      .limit(limit);
    if (filter.status) query = query.where("status", "=", filter.status);
    const rows = await query.execute();
    return rows.map((row) => toSubscriber(row as SubscriberRow));
  }

  async *all(filter: { status?: SubscriberStatus } = {}): AsyncIterable<Subscriber> {
    let after = 0;
    for (;;) {
      const page = await this.page(after, 1_000, filter);
      if (page.length === 0) return;
      yield* page;
      after = page[page.length - 1]!.id;
    }
  }

  async active(): Promise<Subscriber[]> {
    const subscribers: Subscriber[] = [];
    for await (const subscriber of this.all({ status: "active" })) subscribers.push(subscriber);
    return subscribers;
  }

  async count(status?: SubscriberStatus): Promise<number> {
    let query = this.db.selectFrom("subscribers").select((eb) => eb.fn.countAll<number>().as("n"));
    if (status) query = query.where("status", "=", status);
    const row = await query.executeTakeFirstOrThrow();
    return Number(row.n);
  }

  private toRow(subscriber: NewSubscriber, now: Date) {
    const stamp = now.toISOString();
    const status = subscriber.status ?? "active";
    return {
      email: subscriber.email.toLowerCase(),
      name: subscriber.name?.trim() || null,
      language: subscriber.language ?? this.defaults.language,
      timezone: subscriber.timezone ?? this.defaults.timezone,
      status,
      frequency: subscriber.frequency ?? this.defaults.frequency ?? "daily",
      categories: encodeCategories(subscriber.categories ?? []),
      consent_source: subscriber.consentSource ?? "import",
      consent_ip: subscriber.consentIp ?? null,
      confirmed_at: status === "active" ? stamp : null,
      unsubscribed_at: status === "unsubscribed" ? stamp : null,
      created_at: stamp,
      updated_at: stamp,
    };
  }
}

/** Category slugs as stored: unique, sorted, JSON. */
function encodeCategories(categories: string[]): string {
  return JSON.stringify([...new Set(categories)].sort());
}

function toSubscriber(row: SubscriberRow): Subscriber {
  const subscriber: Subscriber = {
    id: row.id,
    email: row.email,
    language: row.language,
    timezone: row.timezone,
    status: row.status as SubscriberStatus,
    frequency: row.frequency as Frequency,
    categories: JSON.parse(row.categories) as string[],
    created: new Date(row.created_at),
    updated: new Date(row.updated_at),
    consentSource: row.consent_source as ConsentSource,
    hardBounces: row.hard_bounces,
  };
  if (row.name !== null) subscriber.name = row.name;
  if (row.confirmed_at !== null) subscriber.confirmed = new Date(row.confirmed_at);
  if (row.unsubscribed_at !== null) subscriber.unsubscribed = new Date(row.unsubscribed_at);
  if (row.consent_ip !== null) subscriber.consentIp = row.consent_ip;
  if (row.covered_until !== null) subscriber.coveredUntil = new Date(row.covered_until);
  return subscriber;
}
