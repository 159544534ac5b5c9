import type { Db } from "./database.js";

/** One edition as `warta status` shows it: who it was for and how its deliveries stand. */
export interface EditionStatus {
  id: number;
  created: Date;
  subject: string;
  frequency: string;
  timezone: string;
  language: string;
  /** Category slugs of the segment; empty for every category. */
  segment: string[];
  /** Deliveries by status (queued, sending, sent, deferred, failed, bounced). */
  deliveries: Record<string, number>;
  /** Set while the edition's sending is paused (after too many transport errors). */
  paused?: { at: Date; reason: string };
}

/** A delivery as a bounce report finds it. */
export interface BouncedDelivery {
  editionId: number;
  subscriberId: number;
  messageId: string;
  status: string;
}

/** A subscriber as a bounce report finds it. */
export interface BouncedSubscriber {
  id: number;
  status: string;
  hardBounces: number;
}

/** What recording a hard bounce changed. */
export interface HardBounceResult {
  /** False when the delivery was already marked bounced: the report was seen before. */
  counted: boolean;
  hardBounces: number;
  /** True when this bounce moved the subscriber to 'bounced'. */
  subscriberBounced: boolean;
}

/** Subscribers who still receive mail, and so may be marked bounced or complained. */
const reachable = ["active", "pending"];

/**
 * Read-only summaries of the store for `warta status` and /metrics, and the writes that apply
 * bounce reports to deliveries and subscribers.
 */
export class SqlStatusStore {
  constructor(private readonly db: Db) {}

  /** Deliveries by status, over all editions. */
  async deliveryCounts(): Promise<Record<string, number>> {
    const rows = await this.db
      .selectFrom("deliveries")
      .select(["status", (eb) => eb.fn.countAll<number>().as("n")])
      .groupBy("status")
      .execute();
    return Object.fromEntries(rows.map((row) => [row.status, Number(row.n)]));
  }

  /** Subscribers by status. */
  async subscriberCounts(): Promise<Record<string, number>> {
    const rows = await this.db
      .selectFrom("subscribers")
      .select(["status", (eb) => eb.fn.countAll<number>().as("n")])
      .groupBy("status")
      .execute();
    return Object.fromEntries(rows.map((row) => [row.status, Number(row.n)]));
  }

  /** The newest editions, newest first, with their delivery counts. */
  async recentEditions(limit: number): Promise<EditionStatus[]> {
    const rows = await this.db
      .selectFrom("editions")
      .select([
        "id",
        "created_at",
        "subject",
        "frequency",
        "timezone",
        "language",
        "segment",
        "paused_at",
        "paused_reason",
      ])
      .orderBy("id", "desc")
      .limit(limit)
      .execute();
    if (rows.length === 0) return [];
    const ids = rows.map((row) => row.id);
    const counts = await this.db
      .selectFrom("deliveries")
      .select(["edition_id", "status", (eb) => eb.fn.countAll<number>().as("n")])
      .where("edition_id", "in", ids)
      .groupBy(["edition_id", "status"])
      .execute();
    return rows.map((row) => {
      const deliveries: Record<string, number> = {};
      for (const count of counts) {
        if (count.edition_id === row.id) deliveries[count.status] = Number(count.n);
      }
      const edition: EditionStatus = {
        id: row.id,
        created: new Date(row.created_at),
        subject: row.subject,
        frequency: row.frequency,
        timezone: row.timezone,
        language: row.language,
        segment: row.segment === "" ? [] : row.segment.split(","),
        deliveries,
      };
      if (row.paused_at !== null) {
        edition.paused = { at: new Date(row.paused_at), reason: row.paused_reason ?? "" };
      }
      return edition;
    });
  }

  /** One delivery by its edition and subscriber. */
  async delivery(editionId: number, subscriberId: number): Promise<BouncedDelivery | undefined> {
    const row = await this.db
      .selectFrom("deliveries")
      .select(["edition_id", "subscriber_id", "message_id", "status"])
      .where("edition_id", "=", editionId)
      .where("subscriber_id", "=", subscriberId)
      .executeTakeFirst();
    return row
      ? {
          editionId: row.edition_id,
          subscriberId: row.subscriber_id,
          messageId: row.message_id,
          status: row.status,
        }
      : undefined;
  }

  /** A subscriber by address (stored lower-cased), and their newest delivery if any. */
  async subscriberByEmail(
    email: string,
  ): Promise<{ subscriber: BouncedSubscriber; latest?: BouncedDelivery } | undefined> {
    const row = await this.db
      .selectFrom("subscribers")
      .select(["id", "status", "hard_bounces"])
      .where("email", "=", email.toLowerCase())
      .executeTakeFirst();
    if (!row) return undefined;
    const subscriber = { id: row.id, status: row.status, hardBounces: row.hard_bounces };
    const latest = await this.db
      .selectFrom("deliveries")
      .select(["edition_id", "subscriber_id", "message_id", "status"])
      .where("subscriber_id", "=", row.id)
      .orderBy("edition_id", "desc")
      .limit(1)
      .executeTakeFirst();
    if (!latest) return { subscriber };
    return {
      subscriber,
      latest: {
        editionId: latest.edition_id,
        subscriberId: latest.subscriber_id,
        messageId: latest.message_id,
        status: latest.status,
      },
    };
  }

  /**
   * Records a hard bounce: the delivery (when known) becomes 'bounced' with `error`, and the
   * subscriber's hard_bounces goes up by one; at `limit`, a subscriber still receiving mail
   * becomes 'bounced'. A delivery already 'bounced' means the report was applied before: then
   * nothing changes. One transaction, so two processes applying the same report count it once.
   */
  async recordHardBounce(input: {
    subscriberId: number;
    editionId?: number;
    error: string;
    limit: number;
    now: Date;
  }): Promise<HardBounceResult> {
    const stamp = input.now.toISOString();
    return this.db.transaction().execute(async (trx) => {
      if (input.editionId !== undefined) {
        const marked = await trx
          .updateTable("deliveries")
          .set({ status: "bounced", last_error: input.error, updated_at: stamp })
          .where("edition_id", "=", input.editionId)
          .where("subscriber_id", "=", input.subscriberId)
          .where("status", "!=", "bounced")
          .executeTakeFirst();
        if (Number(marked.numUpdatedRows) === 0) {
          const row = await trx
            .selectFrom("subscribers")
            .select("hard_bounces")
            .where("id", "=", input.subscriberId)
            .executeTakeFirst();
          return { counted: false, hardBounces: row?.hard_bounces ?? 0, subscriberBounced: false };
        }
      }
      await trx
        .updateTable("subscribers")
        .set((eb) => ({ hard_bounces: eb("hard_bounces", "+", 1), updated_at: stamp }))
        .where("id", "=", input.subscriberId)
        .execute();
      const bounced = await trx
        .updateTable("subscribers")
        .set({ status: "bounced", updated_at: stamp })
        .where("id", "=", input.subscriberId)
        .where("hard_bounces", ">=", input.limit)
        .where("status", "in", reachable)
        .executeTakeFirst();
      const row = await trx
        .selectFrom("subscribers")
        .select("hard_bounces")
        .where("id", "=", input.subscriberId)
        .executeTakeFirst();
      return {
        counted: true,
        hardBounces: row?.hard_bounces ?? 0,
        subscriberBounced: Number(bounced.numUpdatedRows) > 0,
      };
    });
  }

  /**
   * Records a complaint: the subscriber becomes 'complained' and is never mailed again (a
   * complaint outranks every other status). False when they already were.
   */
  async recordComplaint(subscriberId: number, now: Date): Promise<boolean> {
    const result = await this.db
      .updateTable("subscribers")
      .set({ status: "complained", updated_at: now.toISOString() })
      .where("id", "=", subscriberId)
      .where("status", "!=", "complained")
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  /** Records a temporary failure or a delay as the delivery's last error; its status stays. */
  async recordSoftBounce(
    editionId: number,
    subscriberId: number,
    error: string,
    now: Date,
  ): Promise<boolean> {
    const result = await this.db
      .updateTable("deliveries")
      .set({ last_error: error, updated_at: now.toISOString() })
      .where("edition_id", "=", editionId)
      .where("subscriber_id", "=", subscriberId)
      // A hard bounce's diagnostic stays: a late delay notice must not hide it.
      .where("status", "!=", "bounced")
      .where((eb) => eb.or([eb("last_error", "is", null), eb("last_error", "!=", error)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}
