import type { Kysely } from "kysely";

/**
 * The delivery log: each (edition, subscriber) row records its claims, attempts, retry time and
 * the last SMTP reply; editions can be paused after too many transport errors.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const column of [
    "next_attempt_at",
    "claimed_by",
    "claimed_until",
    "first_attempt_at",
    "updated_at",
  ]) {
    await db.schema.alterTable("deliveries").addColumn(column, "text").execute();
  }
  await db.schema.alterTable("deliveries").addColumn("smtp_code", "integer").execute();
  await db.schema.alterTable("editions").addColumn("paused_at", "text").execute();
  await db.schema.alterTable("editions").addColumn("paused_reason", "text").execute();
  // What a sender claims: queued rows, deferred rows whose time has come, expired claims.
  await db.schema
    .createIndex("deliveries_due")
    .on("deliveries")
    .columns(["status", "next_attempt_at"])
    .execute();
  // The ramp-up limit counts the messages sent in the last hour.
  await db.schema.createIndex("deliveries_by_sent_at").on("deliveries").column("sent_at").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex("deliveries_by_sent_at").ifExists().execute();
  await db.schema.dropIndex("deliveries_due").ifExists().execute();
  for (const column of [
    "next_attempt_at",
    "claimed_by",
    "claimed_until",
    "first_attempt_at",
    "updated_at",
    "smtp_code",
  ]) {
    await db.schema.alterTable("deliveries").dropColumn(column).execute();
  }
  await db.schema.alterTable("editions").dropColumn("paused_at").execute();
  await db.schema.alterTable("editions").dropColumn("paused_reason").execute();
}
