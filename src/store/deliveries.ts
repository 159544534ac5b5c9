import { type ExpressionBuilder, type RawBuilder, sql } from "kysely";
import type { Delivery, DeliveryKey, DeliveryStatus, PausedEdition } from "../domain/digest.js";
import type { DeliveryOutcome, DeliveryQueue } from "../domain/ports.js";
import type { Db } from "./database.js";
import { type Engine, engineOf, greatest, least } from "./dialect.js";
import type { Database } from "./schema.js";

/** Keys per statement when a list of deliveries is updated (SQLite's parameter limit). */
const KEY_CHUNK = 400;

/** The PostgreSQL advisory lock that serialises claims under a ramp-up cap. */
const RAMP_UP_LOCK = 7_262_001;

/** The reply code at the start of an SMTP reply ("250 2.0.0 Ok" → 250), if any. */
function replyCode(response: string): number | null {
  const match = /^([2-5]\d\d)[\s-]/.exec(response);
  return match ? Number(match[1]) : null;
}

/** Rows a sender may take at `now`; the same test in claimDue, dueCount and the cap. */
function dueRows(now: string) {
  // The first term is the condition of the index deliveries_pending (migration 0011), written
  // exactly as there: SQLite uses a partial index only when the query repeats its condition.
  return sql<boolean>`(d.status = 'queued' or d.status = 'deferred' or d.status = 'sending')
      and (d.status = 'queued'
      or (d.status = 'deferred' and (d.next_attempt_at is null or d.next_attempt_at <= ${now}))
      or (d.status = 'sending' and (d.claimed_until is null or d.claimed_until < ${now})))`;
}

/**
 * The keys of the next `take` due rows, in queue order, for a claim. On SQLite the statement
 * names its plan: walk deliveries_pending (only the rows not yet done, in key order) from the
 * start, look each row's subscriber and edition up by key, and stop after `take`. Left to the
 * planner, SQLite picks its index by the statistics, and sampled or stale statistics (an
 * ANALYZE with a row limit, a store analysed before its queue filled) made it read every due
 * row through deliveries_by_status and sort them all, for each batch: 64 ms per claim of 200
 * with 200,000 due, a quarter of a send's time. PostgreSQL plans this from its own statistics,
 * kept by autovacuum; there the row choice also takes FOR UPDATE SKIP LOCKED.
 */
export function dueChoice(engine: Engine, stamp: string, take: RawBuilder<unknown>) {
  const due = sql`s.status = 'active' and e.paused_at is null and ${dueRows(stamp)}
    order by d.edition_id, d.subscriber_id
    limit ${take}`;
  if (engine === "sqlite") {
    return sql`
      select d.edition_id, d.subscriber_id
      from deliveries d indexed by deliveries_pending
      cross join subscribers s
      cross join editions e
      where s.id = d.subscriber_id and e.id = d.edition_id and ${due}`;
  }
  return sql`
    select d.edition_id, d.subscriber_id
    from deliveries d
    join subscribers s on s.id = d.subscriber_id
    join editions e on e.id = d.edition_id
    where ${due}
    for update of d skip locked`;
}

/**
 * The delivery log as a work queue. Every sender process claims rows with one atomic
 * UPDATE ... RETURNING (on PostgreSQL its row choice takes FOR UPDATE SKIP LOCKED, so concurrent
 * senders pass over each other's rows instead of waiting for them), so two processes never hold
 * the same row; a row whose claim runs out (its sender crashed) becomes due again and keeps its
 * Message-ID.
 */
export class SqlDeliveryQueue implements DeliveryQueue {
  private readonly engine: Engine;

  constructor(protected readonly db: Db) {
    this.engine = engineOf(db);
  }

  async claimDue(
    holder: string,
    limit: number,
    now: Date,
    until: Date,
    hourlyCap?: number,
  ): Promise<Delivery[]> {
    const stamp = now.toISOString();
    // With a cap, the LIMIT itself subtracts what went out in the last hour and what any
    // process is sending now, so that the count and the claim happen in one statement.
    const engine = this.engine;
    const take =
      hourlyCap === undefined
        ? sql`${limit}`
        : greatest(
            engine,
            sql`0`,
            least(
              engine,
              sql`${limit}`,
              sql`${hourlyCap}
            - (select count(*) from deliveries where sent_at > ${new Date(now.getTime() - 3_600_000).toISOString()})
            - (select count(*) from deliveries where status = 'sending' and claimed_until >= ${stamp})`,
            ),
          );
    const claim = sql<{
      edition_id: number;
      subscriber_id: number;
      message_id: string;
      attempts: number;
      queued_at: string;
      last_error: string | null;
    }>`
      update deliveries
      set status = 'sending', claimed_by = ${holder}, claimed_until = ${until.toISOString()},
          attempts = attempts + 1, first_attempt_at = coalesce(first_attempt_at, ${stamp}),
          updated_at = ${stamp}
      where (edition_id, subscriber_id) in (${dueChoice(engine, stamp, take)})
      returning edition_id, subscriber_id, message_id, attempts, queued_at, last_error
    `;
    const claimed =
      engine === "postgres" && hourlyCap !== undefined
        ? // Counting what went out and claiming must not interleave between senders, or two
          // could each take the whole hour's allowance: one lock for the ramp-up's claims.
          await this.db.transaction().execute(async (trx) => {
            await sql`select pg_advisory_xact_lock(${RAMP_UP_LOCK})`.execute(trx);
            return claim.execute(trx);
          })
        : await claim.execute(this.db);
    if (claimed.rows.length === 0) return [];
    const people = new Map<
      number,
      { email: string; name: string | null; language: string; hard_bounces: number }
    >();
    const ids = [...new Set(claimed.rows.map((row) => row.subscriber_id))];
    for (let i = 0; i < ids.length; i += KEY_CHUNK) {
      const rows = await this.db
        .selectFrom("subscribers")
        .select(["id", "email", "name", "language", "hard_bounces"])
        .where("id", "in", ids.slice(i, i + KEY_CHUNK))
        .execute();
      for (const row of rows) people.set(row.id, row);
    }
    const deliveries: Delivery[] = [];
    for (const row of claimed.rows) {
      const person = people.get(row.subscriber_id);
      // Erased between the claim and this read: the row went with the subscriber.
      if (!person) continue;
      const delivery: Delivery = {
        editionId: row.edition_id,
        subscriberId: row.subscriber_id,
        email: person.email,
        language: person.language,
        status: "sending",
        messageId: row.message_id,
        attempts: row.attempts,
        queuedAt: new Date(row.queued_at),
        hardBounces: person.hard_bounces,
      };
      if (person.name !== null) delivery.name = person.name;
      if (row.last_error !== null) delivery.lastError = row.last_error;
      deliveries.push(delivery);
    }
    // RETURNING promises no order; send in queue order.
    return deliveries.sort((a, b) => a.editionId - b.editionId || a.subscriberId - b.subscriberId);
  }

  async extendClaims(holder: string, until: Date): Promise<number> {
    const result = await this.db
      .updateTable("deliveries")
      .set({ claimed_until: until.toISOString() })
      .where("claimed_by", "=", holder)
      .where("status", "=", "sending")
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  async releaseClaims(holder: string, keys: DeliveryKey[], at: Date): Promise<number> {
    let released = 0;
    for (let i = 0; i < keys.length; i += KEY_CHUNK) {
      const chunk = keys.slice(i, i + KEY_CHUNK);
      const result = await this.db
        .updateTable("deliveries")
        .set((eb) => ({
          status: "queued",
          claimed_by: null,
          claimed_until: null,
          attempts: greatest<number>(this.engine, sql`${eb.ref("attempts")} - 1`, sql`0`),
          updated_at: at.toISOString(),
        }))
        .where("claimed_by", "=", holder)
        .where("status", "=", "sending")
        .where((eb) => eb.or(chunk.map((key) => keyMatch(eb, key))))
        .executeTakeFirst();
      released += Number(result.numUpdatedRows);
    }
    return released;
  }

  async recordSent(
    key: DeliveryKey & { hardBounces?: number },
    at: Date,
    response: string,
  ): Promise<void> {
    const stamp = at.toISOString();
    const markSent = (db: Db) =>
      db
        .updateTable("deliveries")
        .set({
          status: "sent",
          sent_at: stamp,
          last_response: response,
          last_error: null,
          smtp_code: replyCode(response),
          next_attempt_at: null,
          claimed_by: null,
          claimed_until: null,
          updated_at: stamp,
        })
        .where("edition_id", "=", key.editionId)
        .where("subscriber_id", "=", key.subscriberId)
        // A duplicate (sent again after an expired claim) keeps the first sending time.
        .where("status", "<>", "sent");
    const clearBounces = (db: Db) =>
      db
        .updateTable("subscribers")
        .set({ hard_bounces: 0 })
        .where("id", "=", key.subscriberId)
        .where("hard_bounces", "<>", 0);
    if (key.hardBounces === 0) {
      // The common case, a reader with no bounce when the row was claimed: one statement.
      await markSent(this.db).execute();
      return;
    }
    if (this.engine === "postgres") {
      // Once per message sent: one statement (both updates, atomically) rather than a
      // transaction's four round trips to the server.
      await this.db
        .with("sent", () => markSent(this.db).returning("subscriber_id"))
        .updateTable("subscribers")
        .set({ hard_bounces: 0 })
        .where("id", "=", key.subscriberId)
        .where("hard_bounces", "<>", 0)
        .execute();
      return;
    }
    await this.db.transaction().execute(async (trx) => {
      await markSent(trx).execute();
      await clearBounces(trx).execute();
    });
  }

  async recordDeferred(
    key: DeliveryKey,
    outcome: DeliveryOutcome,
    nextAttemptAt: Date,
  ): Promise<void> {
    await this.recordUnsent(key, "deferred", outcome, nextAttemptAt.toISOString());
  }

  async recordFailed(key: DeliveryKey, outcome: DeliveryOutcome): Promise<void> {
    await this.recordUnsent(key, "failed", outcome, null);
  }

  async recordBounced(
    key: DeliveryKey,
    outcome: DeliveryOutcome,
    bounceLimit: number,
  ): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const changed = await this.recordUnsent(key, "bounced", outcome, null, trx);
      if (!changed) return false;
      const row = await trx
        .updateTable("subscribers")
        .set((eb) => ({
          hard_bounces: eb("hard_bounces", "+", 1),
          status: sql<string>`case when status = 'active' and hard_bounces + 1 >= ${bounceLimit}
            then 'bounced' else status end`,
          updated_at: outcome.at.toISOString(),
        }))
        .where("id", "=", key.subscriberId)
        .returning(["status", "hard_bounces"])
        .executeTakeFirst();
      return row?.status === "bounced" && row.hard_bounces >= bounceLimit;
    });
  }

  async sentSince(since: Date): Promise<number> {
    const row = await this.db
      .selectFrom("deliveries")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("sent_at", ">", since.toISOString())
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async dueCount(now: Date): Promise<number> {
    const result = await sql<{ n: number }>`
      select count(*) as n
      from deliveries d
      join subscribers s on s.id = d.subscriber_id
      join editions e on e.id = d.edition_id
      where s.status = 'active' and e.paused_at is null and ${dueRows(now.toISOString())}
    `.execute(this.db);
    return Number(result.rows[0]?.n ?? 0);
  }

  async waitingCount(): Promise<number> {
    const row = await this.db
      .selectFrom("deliveries")
      .innerJoin("subscribers", "subscribers.id", "deliveries.subscriber_id")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("deliveries.status", "in", ["queued", "deferred", "sending"])
      .where("subscribers.status", "=", "active")
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async pauseEditions(editionIds: number[], at: Date, reason: string): Promise<void> {
    if (editionIds.length === 0) return;
    await this.db
      .updateTable("editions")
      .set({ paused_at: at.toISOString(), paused_reason: reason })
      .where("id", "in", editionIds)
      .where("paused_at", "is", null)
      .execute();
  }

  async resumeEditions(editionId: number | undefined, now: Date): Promise<number[]> {
    return this.db.transaction().execute(async (trx) => {
      let query = trx.selectFrom("editions").select("id").where("paused_at", "is not", null);
      if (editionId !== undefined) query = query.where("id", "=", editionId);
      const ids = (await query.execute()).map((row) => row.id);
      if (ids.length === 0) return [];
      await trx
        .updateTable("editions")
        .set({ paused_at: null, paused_reason: null })
        .where("id", "in", ids)
        .execute();
      // The operator says the trouble is over: what was deferred meanwhile goes out now.
      await trx
        .updateTable("deliveries")
        .set({ next_attempt_at: now.toISOString() })
        .where("edition_id", "in", ids)
        .where("status", "=", "deferred")
        .execute();
      return ids;
    });
  }

  async pausedEditions(): Promise<PausedEdition[]> {
    const rows = await this.db
      .selectFrom("editions")
      .select(["id", "paused_at", "paused_reason"])
      .where("paused_at", "is not", null)
      .orderBy("id")
      .execute();
    return rows.map((row) => ({
      editionId: row.id,
      at: new Date(row.paused_at ?? 0),
      reason: row.paused_reason ?? "",
    }));
  }

  async deliveryCounts(editionId?: number): Promise<Record<string, number>> {
    let query = this.db
      .selectFrom("deliveries")
      .select(["status", (eb) => eb.fn.countAll<number>().as("n")])
      .groupBy("status");
    if (editionId !== undefined) query = query.where("edition_id", "=", editionId);
    const rows = await query.execute();
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
  }

  /** Writes an attempt that did not deliver; a row another sender has sent meanwhile stays sent. */
  private async recordUnsent(
    key: DeliveryKey,
    status: Extract<DeliveryStatus, "deferred" | "failed" | "bounced">,
    outcome: DeliveryOutcome,
    nextAttemptAt: string | null,
    db: Db = this.db,
  ): Promise<boolean> {
    const result = await db
      .updateTable("deliveries")
      .set({
        status,
        last_error: outcome.error,
        smtp_code: outcome.smtpCode ?? null,
        next_attempt_at: nextAttemptAt,
        claimed_by: null,
        claimed_until: null,
        updated_at: outcome.at.toISOString(),
      })
      .where("edition_id", "=", key.editionId)
      .where("subscriber_id", "=", key.subscriberId)
      .where("status", "not in", ["sent", "bounced", "failed"])
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }
}

/** The row of one delivery, in a WHERE clause. */
function keyMatch(eb: ExpressionBuilder<Database, "deliveries">, key: DeliveryKey) {
  return eb.and([eb("edition_id", "=", key.editionId), eb("subscriber_id", "=", key.subscriberId)]);
}
