import { type Kysely, type SqlBool, sql } from "kysely";

/**
 * Rebuilds deliveries_pending with its condition written as ORs. SQLite keeps a partial index
 * whose condition is `status in (...)` very slowly: every update of a delivery's status (one
 * per message sent) took ~0.4 ms with it against ~0.01 ms with the same condition as ORs, which
 * capped a sender at a few hundred messages a second. PostgreSQL reads both the same way. The
 * queries that use the index repeat this condition exactly (dueRows in deliveries.ts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("deliveries_pending").ifExists().execute();
  await db.schema
    .createIndex("deliveries_pending")
    .on("deliveries")
    .columns(["edition_id", "subscriber_id"])
    .where(sql<SqlBool>`status = 'queued' or status = 'deferred' or status = 'sending'`)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("deliveries_pending").ifExists().execute();
  await db.schema
    .createIndex("deliveries_pending")
    .on("deliveries")
    .columns(["edition_id", "subscriber_id"])
    .where(sql<SqlBool>`status in ('queued', 'deferred', 'sending')`)
    .execute();
}
