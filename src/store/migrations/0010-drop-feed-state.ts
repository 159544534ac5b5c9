import type { Kysely } from "kysely";

/**
 * Drops feed_state: publish signatures live in a manifest in each public folder (so that every
 * machine publishing its own folder from a shared store renders what it lacks), and nothing has
 * read or written this table since.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("feed_state").ifExists().execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("feed_state")
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("signature", "text", (c) => c.notNull())
    .execute();
}
