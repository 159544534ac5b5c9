import type { Kysely } from "kysely";

/**
 * The Last-Modified of each version of each public file, as first agreed by the servers on the
 * store, so that every `warta serve` gives the same bytes the same validators although each
 * machine's publish wrote its own copy at its own time.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("file_versions")
    .addColumn("path", "text", (c) => c.notNull())
    .addColumn("hash", "text", (c) => c.notNull())
    .addColumn("modified_at", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("file_versions_pk", ["path", "hash"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("file_versions").ifExists().execute();
}
