import { type ExpressionBuilder, type Selectable, sql, type Transaction } from "kysely";
import type {
  Delivery,
  DeliveryStatus,
  DigestSlot,
  Edition,
  SlotVariant,
} from "../domain/digest.js";
import type { ComposedSlot, EditionRepository, NewEdition, StoredSlot } from "../domain/ports.js";
import type { Frequency } from "../domain/subscriber.js";
import type { Db } from "./database.js";
import { SqlDeliveryQueue } from "./deliveries.js";
import type { Database, EditionsTable } from "./schema.js";

type EditionRow = Selectable<EditionsTable>;

/** Editions and their deliveries in the SQL store; the delivery queue is SqlDeliveryQueue's. */
export class SqlEditionRepository extends SqlDeliveryQueue implements EditionRepository {
  constructor(db: Db) {
    super(db);
  }

  async create(edition: NewEdition, now: Date): Promise<Edition> {
    const stamp = now.toISOString();
    const id = await this.db.transaction().execute(async (trx) => {
      const inserted = await trx
        .insertInto("editions")
        .values({
          created_at: stamp,
          subject: edition.subject,
          html: edition.html,
          text: edition.text,
          period_start: edition.periodStart?.toISOString() ?? null,
          period_end: edition.periodEnd.toISOString(),
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      await insertEditionArticles(trx, inserted.id, edition.articleIds);
      for (const recipient of edition.recipients) {
        await trx
          .insertInto("deliveries")
          .values({
            edition_id: inserted.id,
            subscriber_id: recipient.subscriberId,
            status: "queued",
            message_id: recipient.messageId,
            attempts: 0,
            queued_at: stamp,
          })
          .onConflict((oc) => oc.columns(["edition_id", "subscriber_id"]).doNothing())
          .execute();
      }
      return inserted.id;
    });
    const stored = await this.byId(id);
    if (!stored) throw new Error(`store: edition ${id} vanished after insert`);
    return stored;
  }

  async digestGroups(): Promise<{ frequency: Frequency; timezone: string; subscribers: number }[]> {
    const rows = await this.db
      .selectFrom("subscribers")
      .select(["frequency", "timezone", (eb) => eb.fn.countAll<number>().as("n")])
      .where("status", "=", "active")
      .groupBy(["frequency", "timezone"])
      .orderBy("frequency")
      .orderBy("timezone")
      .execute();
    return rows.map((row) => ({
      frequency: row.frequency as Frequency,
      timezone: row.timezone,
      subscribers: Number(row.n),
    }));
  }

  async slotComposed(slot: DigestSlot): Promise<boolean> {
    const row = await this.db
      .selectFrom("digest_slots")
      .select("slot_at")
      .where("frequency", "=", slot.frequency)
      .where("timezone", "=", slot.timezone)
      .where("slot_at", "=", slot.at.toISOString())
      .executeTakeFirst();
    return row !== undefined;
  }

  async slotVariants(
    slot: DigestSlot,
    defaultStart: Date,
  ): Promise<{ variants: SlotVariant[]; upToId: number }> {
    // One row per variant, not per subscriber: (language, categories, period start), where the
    // period of a subscriber who never got a digest starts one period before the slot.
    const start = sql<string>`coalesce(covered_until, ${defaultStart.toISOString()})`;
    const rows = await this.db
      .selectFrom("subscribers")
      .select((eb) => [
        "language",
        "categories",
        start.as("start"),
        eb.fn.countAll<number>().as("n"),
        eb.fn.max("id").as("max_id"),
      ])
      .where("status", "=", "active")
      .where("frequency", "=", slot.frequency)
      .where("timezone", "=", slot.timezone)
      // By the output name: PostgreSQL would not see two bound copies of `start` as one.
      .groupBy(["language", "categories", sql.ref("start")])
      .orderBy("language")
      .orderBy("categories")
      .orderBy(sql.ref("start"))
      .execute();
    let upToId = 0;
    const variants = rows.map((row): SlotVariant => {
      upToId = Math.max(upToId, Number(row.max_id));
      return {
        language: row.language,
        categories: JSON.parse(row.categories) as string[],
        start: new Date(row.start),
        subscribers: Number(row.n),
      };
    });
    return { variants, upToId };
  }

  async storeSlot(composed: ComposedSlot, now: Date): Promise<StoredSlot | null> {
    const { slot, host } = composed;
    const stamp = now.toISOString();
    const slotAt = slot.at.toISOString();
    const defaultStart = composed.defaultStart.toISOString();
    /** The active subscribers of one variant of the slot, as seen when it was composed. */
    const ofVariant = (variant: SlotVariant) => (eb: ExpressionBuilder<Database, "subscribers">) =>
      eb.and([
        eb("subscribers.status", "=", "active"),
        eb("subscribers.frequency", "=", slot.frequency),
        eb("subscribers.timezone", "=", slot.timezone),
        eb("subscribers.language", "=", variant.language),
        // Categories are stored as the JSON of the sorted, unique slugs (store/subscribers.ts).
        eb("subscribers.categories", "=", JSON.stringify(variant.categories)),
        eb(
          sql`coalesce(subscribers.covered_until, ${defaultStart})`,
          "=",
          variant.start.toISOString(),
        ),
        eb("subscribers.id", "<=", composed.upToId),
      ]);

    const stored = await this.db.transaction().execute(async (trx) => {
      // The slot's row first: it is the claim on the slot. A process composing the same slot at
      // the same time waits here (PostgreSQL: on the key; SQLite: for the one writer) until this
      // transaction ends, then finds the slot taken, or free again after a rollback.
      const claimed = await trx
        .insertInto("digest_slots")
        .values({
          frequency: slot.frequency,
          timezone: slot.timezone,
          slot_at: slotAt,
          composed_at: stamp,
          editions: 0,
          recipients: 0,
        })
        .onConflict((oc) => oc.columns(["frequency", "timezone", "slot_at"]).doNothing())
        .executeTakeFirst();
      if (Number(claimed.numInsertedOrUpdatedRows ?? 0) === 0) return null;
      const editions: { id: number; recipients: number }[] = [];
      for (const { variant, edition } of composed.variants) {
        if (!edition) continue;
        const segment = variant.categories.join(",");
        const start = variant.start.toISOString();
        const inserted = await trx
          .insertInto("editions")
          .values({
            created_at: stamp,
            subject: edition.subject,
            html: edition.html,
            text: edition.text,
            period_start: start,
            period_end: slotAt,
            frequency: slot.frequency,
            timezone: slot.timezone,
            language: variant.language,
            segment,
            slot_at: slotAt,
            variant_key: [
              slot.frequency,
              slot.timezone,
              slotAt,
              variant.language,
              segment,
              start,
            ].join("|"),
          })
          .onConflict((oc) => oc.column("variant_key").doNothing())
          .returning("id")
          .executeTakeFirst();
        if (!inserted) continue;
        await insertEditionArticles(trx, inserted.id, edition.articleIds);
        // One delivery per subscriber of the variant, straight from the subscribers table; the
        // Message-ID is digestMessageId(edition, subscriber, host), fixed here for every retry.
        const queued = await trx
          .insertInto("deliveries")
          .columns(["edition_id", "subscriber_id", "status", "message_id", "attempts", "queued_at"])
          .expression(
            trx
              .selectFrom("subscribers")
              .select([
                sql<number>`cast(${inserted.id} as integer)`.as("edition_id"),
                "subscribers.id as subscriber_id",
                sql<string>`'queued'`.as("status"),
                sql<string>`'<warta.e' || ${String(inserted.id)} || '.s' || subscribers.id || '@' || ${host} || '>'`.as(
                  "message_id",
                ),
                sql<number>`0`.as("attempts"),
                sql<string>`${stamp}`.as("queued_at"),
              ])
              .where(ofVariant(variant)),
          )
          .executeTakeFirst();
        editions.push({
          id: inserted.id,
          recipients: Number(queued.numInsertedOrUpdatedRows ?? 0),
        });
      }
      // Coverage moves only after every delivery is queued: the deliveries select subscribers by
      // their period start, which this changes. It never moves back (a by-hand digest may have
      // covered past a scheduled slot).
      let covered = 0;
      for (const { variant } of composed.variants) {
        const result = await trx
          .updateTable("subscribers")
          .set({ covered_until: slotAt })
          .where(ofVariant(variant))
          .where((eb) => eb.or([eb("covered_until", "is", null), eb("covered_until", "<", slotAt)]))
          .executeTakeFirst();
        covered += Number(result.numUpdatedRows);
      }
      await trx
        .updateTable("digest_slots")
        .set({
          editions: editions.length,
          recipients: editions.reduce((sum, e) => sum + e.recipients, 0),
        })
        .where("frequency", "=", slot.frequency)
        .where("timezone", "=", slot.timezone)
        .where("slot_at", "=", slotAt)
        .execute();
      return { editions, covered };
    });
    if (!stored) return null;
    const editions: StoredSlot["editions"] = [];
    for (const { id, recipients } of stored.editions) {
      const edition = await this.byId(id);
      if (!edition) throw new Error(`store: edition ${id} vanished after insert`);
      editions.push({ edition, recipients });
    }
    return { editions, covered: stored.covered };
  }

  async latest(): Promise<Edition | undefined> {
    const row = await this.db
      .selectFrom("editions")
      .selectAll()
      .orderBy("id", "desc")
      .limit(1)
      .executeTakeFirst();
    return row ? this.withArticles(row) : undefined;
  }

  async byId(id: number): Promise<Edition | undefined> {
    const row = await this.db
      .selectFrom("editions")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirst();
    return row ? this.withArticles(row) : undefined;
  }

  async newest(limit: number): Promise<Edition[]> {
    const rows = await this.db
      .selectFrom("editions")
      .selectAll()
      .orderBy("id", "desc")
      .limit(limit)
      .execute();
    if (rows.length === 0) return [];
    const links = await this.db
      .selectFrom("edition_articles")
      .select(["edition_id", "article_id"])
      .where(
        "edition_id",
        "in",
        rows.map((row) => row.id),
      )
      .orderBy("edition_id")
      .orderBy("position")
      .execute();
    const articleIds = new Map<number, string[]>();
    for (const link of links) {
      const list = articleIds.get(link.edition_id) ?? [];
      list.push(link.article_id);
      articleIds.set(link.edition_id, list);
    }
    return rows.map((row) => toEdition(row, articleIds.get(row.id) ?? []));
  }

  async ids(): Promise<number[]> {
    const rows = await this.db.selectFrom("editions").select("id").orderBy("id", "desc").execute();
    return rows.map((row) => row.id);
  }

  async queued(limit: number): Promise<Delivery[]> {
    const rows = await this.db
      .selectFrom("deliveries")
      .innerJoin("subscribers", "subscribers.id", "deliveries.subscriber_id")
      .select([
        "deliveries.edition_id",
        "deliveries.subscriber_id",
        "deliveries.status",
        "deliveries.message_id",
        "deliveries.attempts",
        "deliveries.last_error",
        "deliveries.sent_at",
        "deliveries.queued_at",
        "subscribers.email",
        "subscribers.name",
        "subscribers.language",
      ])
      .where("deliveries.status", "=", "queued")
      .where("subscribers.status", "=", "active")
      .orderBy("deliveries.edition_id")
      .orderBy("deliveries.subscriber_id")
      .limit(limit)
      .execute();
    return rows.map((row) => {
      const delivery: Delivery = {
        editionId: row.edition_id,
        subscriberId: row.subscriber_id,
        email: row.email,
        language: row.language,
        status: row.status as DeliveryStatus,
        messageId: row.message_id,
        attempts: row.attempts,
        queuedAt: new Date(row.queued_at),
      };
      if (row.name !== null) delivery.name = row.name;
      if (row.last_error !== null) delivery.lastError = row.last_error;
      if (row.sent_at !== null) delivery.sentAt = new Date(row.sent_at);
      return delivery;
    });
  }

  async queuedCount(): Promise<number> {
    const row = await this.db
      .selectFrom("deliveries")
      .innerJoin("subscribers", "subscribers.id", "deliveries.subscriber_id")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .where("deliveries.status", "=", "queued")
      .where("subscribers.status", "=", "active")
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async markSent(editionId: number, subscriberId: number, at: Date, response: string) {
    await this.db
      .updateTable("deliveries")
      .set((eb) => ({
        status: "sent",
        sent_at: at.toISOString(),
        last_response: response,
        last_error: null,
        attempts: eb("attempts", "+", 1),
      }))
      .where("edition_id", "=", editionId)
      .where("subscriber_id", "=", subscriberId)
      .execute();
  }

  async markFailed(editionId: number, subscriberId: number, _at: Date, error: string) {
    await this.db
      .updateTable("deliveries")
      .set((eb) => ({ status: "failed", last_error: error, attempts: eb("attempts", "+", 1) }))
      .where("edition_id", "=", editionId)
      .where("subscriber_id", "=", subscriberId)
      .execute();
  }

  private async withArticles(row: EditionRow): Promise<Edition> {
    const articles = await this.db
      .selectFrom("edition_articles")
      .select("article_id")
      .where("edition_id", "=", row.id)
      .orderBy("position")
      .execute();
    return toEdition(
      row,
      articles.map((a) => a.article_id),
    );
  }
}

function toEdition(row: EditionRow, articleIds: string[]): Edition {
  return {
    id: row.id,
    created: new Date(row.created_at),
    subject: row.subject,
    html: row.html,
    text: row.text,
    periodStart: row.period_start === null ? null : new Date(row.period_start),
    periodEnd: new Date(row.period_end),
    articleIds,
    frequency: row.frequency as Frequency,
    timezone: row.timezone,
    language: row.language,
    segment: row.segment === "" ? [] : row.segment.split(","),
    slotAt: row.slot_at === null ? null : new Date(row.slot_at),
  };
}

/** Records the articles of an edition, in their order. */
async function insertEditionArticles(
  trx: Transaction<Database>,
  editionId: number,
  articleIds: readonly string[],
): Promise<void> {
  if (articleIds.length === 0) return;
  await trx
    .insertInto("edition_articles")
    .values(
      articleIds.map((articleId, position) => ({
        edition_id: editionId,
        article_id: articleId,
        position,
      })),
    )
    .execute();
}
