import type { Kysely } from "kysely";

/**
 * Fixed-window counters shared by every process on the store (the limits of the subscription
 * form): one row per limited key, counting the hits of the window that ends at `window_ends`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("rate_limits")
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("hits", "integer", (c) => c.notNull())
    .addColumn("window_ends", "text", (c) => c.notNull())
    .execute();
  // Lets the periodic clean-up find the expired rows without reading them all.
  await db.schema
    .createIndex("rate_limits_window_ends")
    .on("rate_limits")
    .column("window_ends")
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("rate_limits_window_ends").ifExists().execute();
  await db.schema.dropTable("rate_limits").ifExists().execute();
}
