import { type Kysely, sql } from "kysely";

/**
 * The subscriber lifecycle and segmented editions: what each subscriber chose (frequency,
 * categories), when they confirmed or left, how far their digests have covered; which segment,
 * language and time slot each edition was made for; and which digest slots were composed.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const subscriberColumns: Array<[string, "text" | "integer", string | number | null]> = [
    ["frequency", "text", "daily"],
    // JSON array of category slugs; [] means every category.
    ["categories", "text", "[]"],
    ["confirmed_at", "text", null],
    ["unsubscribed_at", "text", null],
    // How the subscription was made: form, import, cli; and the client address of a form.
    ["consent_source", "text", "import"],
    ["consent_ip", "text", null],
    // End of the period the subscriber's last digest covered: the next starts there.
    ["covered_until", "text", null],
    ["hard_bounces", "integer", 0],
  ];
  for (const [name, type, fallback] of subscriberColumns) {
    await db.schema
      .alterTable("subscribers")
      .addColumn(name, type, (c) => (fallback === null ? c : c.notNull().defaultTo(fallback)))
      .execute();
  }
  // Existing active subscribers were confirmed when they were added.
  await sql`update subscribers set confirmed_at = created_at where status = 'active'`.execute(db);
  await db.schema
    .createIndex("subscribers_digest_group")
    .on("subscribers")
    .columns(["status", "frequency", "timezone", "id"])
    .execute();

  const editionColumns: Array<[string, string]> = [
    ["frequency", "daily"],
    ["timezone", ""],
    ["language", ""],
    // Sorted category slugs joined by commas; "" means every category.
    ["segment", ""],
  ];
  for (const [name, fallback] of editionColumns) {
    await db.schema
      .alterTable("editions")
      .addColumn(name, "text", (c) => c.notNull().defaultTo(fallback))
      .execute();
  }
  await db.schema.alterTable("editions").addColumn("slot_at", "text").execute();
  // Identifies one variant of one slot, so that composing a slot twice adds nothing.
  await db.schema.alterTable("editions").addColumn("variant_key", "text").execute();
  await sql`update editions set slot_at = created_at, variant_key = 'edition:' || id`.execute(db);
  await db.schema
    .createIndex("editions_variant_key")
    .unique()
    .on("editions")
    .column("variant_key")
    .execute();

  await db.schema
    .createTable("digest_slots")
    .addColumn("frequency", "text", (c) => c.notNull())
    .addColumn("timezone", "text", (c) => c.notNull())
    .addColumn("slot_at", "text", (c) => c.notNull())
    .addColumn("composed_at", "text", (c) => c.notNull())
    .addColumn("editions", "integer", (c) => c.notNull())
    .addColumn("recipients", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("digest_slots_pk", ["frequency", "timezone", "slot_at"])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("digest_slots").ifExists().execute();
  await db.schema.dropIndex("editions_variant_key").ifExists().execute();
  for (const name of ["variant_key", "slot_at", "segment", "language", "timezone", "frequency"]) {
    await db.schema.alterTable("editions").dropColumn(name).execute();
  }
  await db.schema.dropIndex("subscribers_digest_group").ifExists().execute();
  for (const name of [
    "hard_bounces",
    "covered_until",
    "consent_ip",
    "consent_source",
    "unsubscribed_at",
    "confirmed_at",
    "categories",
    "frequency",
  ]) {
    await db.schema.alterTable("subscribers").dropColumn(name).execute();
  }
}
