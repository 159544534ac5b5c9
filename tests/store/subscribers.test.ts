import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Db, openDatabase, SqlSubscriberRepository } from "../../src/store/index.js";
import { newStoreSpec } from "../helpers/store.js";

const t0 = new Date("2024-05-01T08:00:00.000Z");
const t1 = new Date("2024-05-02T09:30:00.000Z");
const t2 = new Date("2024-05-03T10:45:00.000Z");
const t3 = new Date("2024-05-04T11:15:00.000Z");

describe("subscriber store (a real store: SQLite file or PostgreSQL schema)", () => {
  let dir: string;
  let spec: string;
  let db: Db;
  let repo: SqlSubscriberRepository;
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "warta-subscribers-"));
    spec = newStoreSpec(dir);
    db = await openDatabase(spec);
    repo = new SqlSubscriberRepository(db, {
      language: "id",
      timezone: "Asia/Jakarta",
      frequency: "daily",
    });
  });
  afterEach(async () => {
    await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A second, independent connection to the same store, for checking what is really stored. */
  function raw(): Promise<Db> {
    return openDatabase(spec);
  }

  it("treats addresses that differ only in case as one subscriber", async () => {
    expect(await repo.addIfAbsent([{ email: "Ana@X.org", name: "Ana" }], t0)).toBe(1);
    expect(await repo.addIfAbsent([{ email: "ana@x.org", name: "Other Ana" }], t1)).toBe(0);
    const again = await repo.create({ email: "ANA@X.ORG", consentSource: "cli" }, t2);
    expect(again.created).toBe(false);
    expect(again.subscriber.name).toBe("Ana");
    expect((await repo.byEmail("aNa@x.OrG"))?.name).toBe("Ana");
    expect(await repo.count()).toBe(1);
    const other = await raw();
    const rows = await other.selectFrom("subscribers").select(["email", "name"]).execute();
    await other.destroy();
    expect(rows).toEqual([{ email: "ana@x.org", name: "Ana" }]);
  });

  it("fills the defaults and records the times of confirmation and unsubscription", async () => {
    const { subscriber } = await repo.create(
      { email: "budi@example.org", status: "pending", consentSource: "cli" },
      t0,
    );
    expect(subscriber).toMatchObject({
      status: "pending",
      language: "id",
      timezone: "Asia/Jakarta",
      frequency: "daily",
      categories: [],
      consentSource: "cli",
      hardBounces: 0,
    });
    expect(subscriber.created).toEqual(t0);
    expect(subscriber.confirmed).toBeUndefined();
    expect(subscriber.unsubscribed).toBeUndefined();

    const other = await raw();
    await other
      .updateTable("subscribers")
      .set({ hard_bounces: 2 })
      .where("id", "=", subscriber.id)
      .execute();

    const active = await repo.setStatus(subscriber.id, "active", t1, {
      source: "form",
      ip: "203.0.113.9",
    });
    expect(active?.status).toBe("active");
    expect(active?.confirmed).toEqual(t1);
    expect(active?.unsubscribed).toBeUndefined();
    expect(active?.hardBounces).toBe(0);
    expect(active?.consentSource).toBe("form");
    expect(active?.consentIp).toBe("203.0.113.9");
    expect(active?.updated).toEqual(t1);

    const gone = await repo.setStatus(subscriber.id, "unsubscribed", t2);
    expect(gone?.status).toBe("unsubscribed");
    expect(gone?.unsubscribed).toEqual(t2);
    // Leaving keeps the record of when consent was given.
    expect(gone?.confirmed).toEqual(t1);
    expect(gone?.consentSource).toBe("form");

    const back = await repo.setStatus(subscriber.id, "pending", t3);
    expect(back?.unsubscribed).toBeUndefined();
    expect(back?.confirmed).toEqual(t1);

    const row = await other
      .selectFrom("subscribers")
      .select(["status", "confirmed_at", "unsubscribed_at", "updated_at"])
      .executeTakeFirst();
    await other.destroy();
    expect(row).toEqual({
      status: "pending",
      confirmed_at: t1.toISOString(),
      unsubscribed_at: null,
      updated_at: t3.toISOString(),
    });
  });

  it("never changes a known subscriber when adding, even one who left", async () => {
    await repo.addIfAbsent([{ email: "citra@example.org", frequency: "weekly" }], t0);
    const citra = await repo.byEmail("citra@example.org");
    await repo.setStatus(citra!.id, "unsubscribed", t1);
    const added = await repo.addIfAbsent(
      [
        { email: "citra@example.org", status: "active", frequency: "daily" },
        { email: "dewi@example.org", status: "active" },
      ],
      t2,
    );
    expect(added).toBe(1);
    const after = await repo.byEmail("citra@example.org");
    expect(after?.status).toBe("unsubscribed");
    expect(after?.frequency).toBe("weekly");
    expect(after?.unsubscribed).toEqual(t1);
  });

  it("erases a person's row and deliveries, leaving everyone else's", async () => {
    await repo.addIfAbsent(
      [{ email: "eko@example.org" }, { email: "fitri@example.org", categories: ["ekonomi"] }],
      t0,
    );
    const eko = await repo.byEmail("eko@example.org");
    const fitri = await repo.byEmail("fitri@example.org");
    const other = await raw();
    const { id: edition } = await other
      .insertInto("editions")
      .values({
        created_at: t1.toISOString(),
        subject: "Warta",
        html: "<p>x</p>",
        text: "x",
        period_end: t1.toISOString(),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const delivery = (subscriberId: number, messageId: string) => ({
      edition_id: edition,
      subscriber_id: subscriberId,
      status: "sent",
      message_id: messageId,
      attempts: 1,
      queued_at: t1.toISOString(),
    });
    await other
      .insertInto("deliveries")
      .values([delivery(eko!.id, "<eko@x>"), delivery(fitri!.id, "<fitri@x>")])
      .execute();

    expect(await repo.erase("EKO@example.org")).toBe(true);
    expect(await other.selectFrom("subscribers").select("email").execute()).toEqual([
      { email: "fitri@example.org" },
    ]);
    expect(await other.selectFrom("deliveries").select("subscriber_id").execute()).toEqual([
      { subscriber_id: fitri!.id },
    ]);
    await other.destroy();
    expect(await repo.erase("eko@example.org")).toBe(false);
    expect(await repo.byId(eko!.id)).toBeUndefined();
  });

  it("reads subscribers page by page in id order, optionally of one status", async () => {
    const people = Array.from({ length: 2_345 }, (_, i) => ({
      email: `reader${i}@example.org`,
      status: i % 3 === 0 ? ("pending" as const) : ("active" as const),
    }));
    expect(await repo.addIfAbsent(people, t0)).toBe(2_345);
    const firstPage = await repo.page(0, 10);
    expect(firstPage.map((s) => s.email)).toEqual(people.slice(0, 10).map((p) => p.email));
    const emails: string[] = [];
    for await (const subscriber of repo.all()) emails.push(subscriber.email);
    expect(emails).toEqual(people.map((p) => p.email));
    const pending: string[] = [];
    for await (const subscriber of repo.all({ status: "pending" })) pending.push(subscriber.email);
    expect(pending).toEqual(people.filter((p) => p.status === "pending").map((p) => p.email));
    expect(await repo.count("pending")).toBe(782);
    expect(await repo.count("active")).toBe(1_563);
    expect((await repo.active()).length).toBe(1_563);
  });
});
