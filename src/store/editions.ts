import type { Selectable } from "kysely";
import type { Delivery, DeliveryStatus, Edition } from "../domain/digest.js";
import type { EditionRepository, NewEdition } from "../domain/ports.js";
import type { Db } from "./database.js";
import type { EditionsTable } from "./schema.js";

type EditionRow = Selectable<EditionsTable>;

/** Editions and their deliveries in the SQL store. */
export class SqlEditionRepository implements EditionRepository {
  constructor(private readonly db: Db) {}

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
      if (edition.articleIds.length > 0) {
        await trx
          .insertInto("edition_articles")
          .values(
            edition.articleIds.map((articleId, position) => ({
              edition_id: inserted.id,
              article_id: articleId,
              position,
            })),
          )
          .execute();
      }
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
        "subscribers.email",
        "subscribers.name",
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
        status: row.status as DeliveryStatus,
        messageId: row.message_id,
        attempts: row.attempts,
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

  /** How many deliveries of an edition are in each status. */
  async deliveryCounts(editionId: number): Promise<Record<string, number>> {
    const rows = await this.db
      .selectFrom("deliveries")
      .select(["status", (eb) => eb.fn.countAll<number>().as("n")])
      .where("edition_id", "=", editionId)
      .groupBy("status")
      .execute();
    return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
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
  };
}
