import { type Kysely, sql } from "kysely";

/**
 * Remembers every source an article came from (so one story from two sources is stored
 * once), keys articles by canonical URL and text fingerprint for deduplication, and keeps
 * the polling state of remote sources.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("articles").addColumn("canonical_url", "text").execute();
  await db.schema.alterTable("articles").addColumn("fingerprint", "text").execute();
  await db.schema
    .createIndex("articles_canonical_url")
    .on("articles")
    .column("canonical_url")
    .execute();

  await db.schema
    .createTable("article_sources")
    .addColumn("source_id", "text", (c) => c.notNull())
    .addColumn("source_key", "text", (c) => c.notNull())
    .addColumn("article_id", "text", (c) =>
      c.notNull().references("articles.id").onDelete("cascade"),
    )
    .addColumn("url", "text", (c) => c.notNull())
    .addColumn("first_seen_at", "text", (c) => c.notNull())
    .addColumn("last_seen_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("article_sources_pk", ["source_id", "source_key"])
    .execute();
  await db.schema
    .createIndex("article_sources_article")
    .on("article_sources")
    .column("article_id")
    .execute();
  await sql`insert into article_sources (source_id, source_key, article_id, url, first_seen_at, last_seen_at)
            select source_id, source_key, id, url, first_seen_at, changed_at from articles`.execute(
    db,
  );

  await db.schema
    .createTable("source_state")
    .addColumn("source_id", "text", (c) => c.primaryKey())
    .addColumn("etag", "text")
    .addColumn("last_modified", "text")
    .addColumn("cursor", "text")
    .addColumn("last_attempt_at", "text")
    .addColumn("last_success_at", "text")
    .addColumn("last_error_at", "text")
    .addColumn("last_error", "text")
    .addColumn("consecutive_failures", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("next_poll_at", "text")
    .addColumn("items", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("source_state").ifExists().execute();
  await db.schema.dropTable("article_sources").ifExists().execute();
  await db.schema.dropIndex("articles_canonical_url").ifExists().execute();
  await db.schema.alterTable("articles").dropColumn("fingerprint").execute();
  await db.schema.alterTable("articles").dropColumn("canonical_url").execute();
}
