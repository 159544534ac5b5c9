import type { Kysely } from "kysely";

/**
 * Remembers, per feed, a signature of the inputs it was last rendered from, so that a publish
 * renders only the feeds whose items (or settings) changed since; and indexes what a publish
 * reads of every article to compute those signatures.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("feed_state")
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("signature", "text", (c) => c.notNull())
    .execute();
  // Covers feedStamps(): reading author, content_hash and changed_at from the table would walk
  // past each article's body (stored before them in the row), for every article on every publish.
  await db.schema
    .createIndex("articles_feed_stamp")
    .on("articles")
    .columns(["published_at", "id", "author", "content_hash", "changed_at"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("articles_feed_stamp").ifExists().execute();
  await db.schema.dropTable("feed_state").ifExists().execute();
}
