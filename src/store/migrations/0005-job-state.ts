import type { Kysely } from "kysely";

/** Leases and run history of the scheduled jobs (see JobStateRepository). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("job_state")
    .addColumn("job", "text", (c) => c.primaryKey())
    .addColumn("holder", "text")
    .addColumn("lease_expires_at", "text")
    .addColumn("last_started_at", "text")
    .addColumn("last_finished_at", "text")
    .addColumn("last_success_at", "text")
    .addColumn("last_failure_at", "text")
    .addColumn("last_error", "text")
    .addColumn("last_duration_ms", "integer")
    .addColumn("runs", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("failures", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("job_state").ifExists().execute();
}
