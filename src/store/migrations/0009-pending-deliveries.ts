import { type Kysely, type SqlBool, sql } from "kysely";

/**
 * The deliveries not yet done, in queue order. A sender claims the first due rows of the queue;
 * without this index it walks the whole delivery log in key order past every row already sent,
 * so each claim of a large edition got slower as the edition went out. The claim and the due
 * count carry the same condition (see PENDING in deliveries.ts), so both engines use it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex("deliveries_pending")
    .on("deliveries")
    .columns(["edition_id", "subscriber_id"])
    .where(sql<SqlBool>`status in ('queued', 'deferred', 'sending')`)
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("deliveries_pending").ifExists().execute();
}
