import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import SQLite from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Db, openDatabase, SqlSubscriberRepository } from "../../src/store/index.js";

const t0 = new Date("2024-05-01T08:00:00.000Z");
const t1 = new Date("2024-05-02T09:30:00.000Z");
const t2 = new Date("2024-05-03T10:45:00.000Z");
const t3 = new Date("2024-05-04T11:15:00.000Z");

describe("subscriber store (SQLite file)", () => {
  let dir: string;
  let file: string;
  let db: Db;
  let repo: SqlSubscriberRepository;
  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "warta-subscribers-"));
    file = path.join(dir, "warta.sqlite");
    db = await openDatabase(file);
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

  /** A second, independent connection to the same file, for checking what is really stored. */
  function raw(): SQLite.Database {
    return new SQLite(file);
  }

  it("treats addresses that differ only in case as one subscriber", async () => {
    expect(await repo.addIfAbsent([{ email: "Ana@X.org", name: "Ana" }], t0)).toBe(1);
    expect(await repo.addIfAbsent([{ email: "ana@x.org", name: "Other Ana" }], t1)).toBe(0);
    const again = await repo.create({ email: "ANA@X.ORG", consentSource: "cli" }, t2);
    expect(again.created).toBe(false);
    expect(again.subscriber.name).toBe("Ana");
    expect((await repo.byEmail("aNa@x.OrG"))?.name).toBe("Ana");
    expect(await repo.count()).toBe(1);
    const sqlite = raw();
    const rows = sqlite.prepare("select email, name from subscribers").all();
    sqlite.close();
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

    const sqlite = raw();
    sqlite.prepare("update subscribers set hard_bounces = 2 where id = ?").run(subscriber.id);

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

    const row = sqlite
      .prepare("select status, confirmed_at, unsubscribed_at, updated_at from subscribers")
      .get();
    sqlite.close();
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
    const sqlite = raw();
    const edition = sqlite
      .prepare(
        "insert into editions (created_at, subject, html, text, period_end) values (?, ?, ?, ?, ?)",
      )
      .run(t1.toISOString(), "Warta", "<p>x</p>", "x", t1.toISOString()).lastInsertRowid;
    const delivery = sqlite.prepare(
      "insert into deliveries (edition_id, subscriber_id, status, message_id, attempts, queued_at) values (?, ?, 'sent', ?, 1, ?)",
    );
    delivery.run(edition, eko!.id, "<eko@x>", t1.toISOString());
    delivery.run(edition, fitri!.id, "<fitri@x>", t1.toISOString());

    expect(await repo.erase("EKO@example.org")).toBe(true);
    expect(sqlite.prepare("select email from subscribers").all()).toEqual([
      { email: "fitri@example.org" },
    ]);
    expect(sqlite.prepare("select subscriber_id from deliveries").all()).toEqual([
      { subscriber_id: fitri!.id },
    ]);
    sqlite.close();
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
