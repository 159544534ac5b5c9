import type { Kysely } from "kysely";
import { engineOf } from "../dialect.js";

/** Articles, categories, subscribers, editions and deliveries. */
export async function up(db: Kysely<unknown>): Promise<void> {
  // SQLite numbers rows with INTEGER PRIMARY KEY AUTOINCREMENT, PostgreSQL with serial.
  const serial = engineOf(db) === "postgres";
  await db.schema
    .createTable("articles")
    .addColumn("id", "text", (c) => c.primaryKey())
    .addColumn("source_id", "text", (c) => c.notNull())
    .addColumn("source_key", "text", (c) => c.notNull())
    .addColumn("url", "text", (c) => c.notNull())
    .addColumn("title", "text", (c) => c.notNull())
    .addColumn("summary", "text", (c) => c.notNull())
    .addColumn("content_html", "text", (c) => c.notNull())
    .addColumn("content_text", "text", (c) => c.notNull())
    .addColumn("author", "text")
    .addColumn("language", "text", (c) => c.notNull())
    .addColumn("tags", "text", (c) => c.notNull().defaultTo("[]"))
    .addColumn("published_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .addColumn("image", "text")
    .addColumn("dateline", "text")
    .addColumn("credit", "text")
    .addColumn("content_hash", "text", (c) => c.notNull())
    .addColumn("first_seen_at", "text", (c) => c.notNull())
    .addColumn("changed_at", "text", (c) => c.notNull())
    .execute();
  // Feeds and digests read the newest articles first.
  await db.schema
    .createIndex("articles_published")
    .on("articles")
    .columns(["published_at", "id"])
    .execute();
  await db.schema
    .createIndex("articles_first_seen")
    .on("articles")
    .column("first_seen_at")
    .execute();
  await db.schema
    .createIndex("articles_source_key")
    .on("articles")
    .columns(["source_id", "source_key"])
    .execute();

  await db.schema
    .createTable("categories")
    .addColumn("slug", "text", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("article_categories")
    .addColumn("article_id", "text", (c) =>
      c.notNull().references("articles.id").onDelete("cascade"),
    )
    .addColumn("category_slug", "text", (c) => c.notNull().references("categories.slug"))
    .addColumn("position", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("article_categories_pk", ["article_id", "category_slug"])
    .execute();
  await db.schema
    .createIndex("article_categories_by_category")
    .on("article_categories")
    .columns(["category_slug", "article_id"])
    .execute();

  await db.schema
    .createTable("subscribers")
    .addColumn("id", serial ? "serial" : "integer", (c) =>
      serial ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn("email", "text", (c) => c.notNull().unique())
    .addColumn("name", "text")
    .addColumn("language", "text", (c) => c.notNull())
    .addColumn("timezone", "text", (c) => c.notNull())
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("updated_at", "text", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("editions")
    .addColumn("id", serial ? "serial" : "integer", (c) =>
      serial ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn("created_at", "text", (c) => c.notNull())
    .addColumn("subject", "text", (c) => c.notNull())
    .addColumn("html", "text", (c) => c.notNull())
    .addColumn("text", "text", (c) => c.notNull())
    .addColumn("period_start", "text")
    .addColumn("period_end", "text", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("edition_articles")
    .addColumn("edition_id", "integer", (c) =>
      c.notNull().references("editions.id").onDelete("cascade"),
    )
    .addColumn("article_id", "text", (c) => c.notNull())
    .addColumn("position", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("edition_articles_pk", ["edition_id", "article_id"])
    .execute();

  // One row per (edition, subscriber): queueing an edition twice cannot send it twice.
  await db.schema
    .createTable("deliveries")
    .addColumn("edition_id", "integer", (c) =>
      c.notNull().references("editions.id").onDelete("cascade"),
    )
    .addColumn("subscriber_id", "integer", (c) =>
      c.notNull().references("subscribers.id").onDelete("cascade"),
    )
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("message_id", "text", (c) => c.notNull())
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("last_error", "text")
    .addColumn("last_response", "text")
    .addColumn("queued_at", "text", (c) => c.notNull())
    .addColumn("sent_at", "text")
    .addPrimaryKeyConstraint("deliveries_pk", ["edition_id", "subscriber_id"])
    .execute();
  await db.schema
    .createIndex("deliveries_by_status")
    .on("deliveries")
    .columns(["status", "edition_id"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    "deliveries",
    "edition_articles",
    "editions",
    "subscribers",
    "article_categories",
    "categories",
    "articles",
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
