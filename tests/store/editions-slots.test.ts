import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DigestSlot } from "../../src/domain/digest.js";
import type { ArticleInput } from "../../src/domain/index.js";
import type { NewSubscriber } from "../../src/domain/subscriber.js";
import {
  type Db,
  openDatabase,
  SqlArticleRepository,
  SqlEditionRepository,
  SqlSubscriberRepository,
} from "../../src/store/index.js";
import { newStoreSpec, openTestStore, testEngine } from "../helpers/store.js";

const now = new Date("2024-05-04T23:00:00Z");
const slot: DigestSlot = { frequency: "daily", timezone: "Asia/Jakarta", at: now };
const dayBefore = new Date("2024-05-03T23:00:00Z");

function article(id: string, overrides: Partial<ArticleInput> = {}): ArticleInput {
  return {
    id,
    sourceId: "s",
    sourceKey: `${id}.md`,
    url: `https://news.example.org/artikel/${id}/`,
    title: `Judul ${id}`,
    summary: "",
    contentHtml: "<p>Isi.</p>",
    contentText: "Isi.",
    categories: [],
    tags: [],
    language: "id",
    published: new Date("2024-05-04T03:00:00Z"),
    updated: new Date("2024-05-04T03:00:00Z"),
    contentHash: `hash-${id}`,
    ...overrides,
  };
}

describe("edition store: digest slots", () => {
  let db: Db;
  let editions: SqlEditionRepository;
  let subscribers: SqlSubscriberRepository;
  beforeEach(async () => {
    db = await openTestStore();
    editions = new SqlEditionRepository(db);
    subscribers = new SqlSubscriberRepository(db, { language: "id", timezone: "Asia/Jakarta" });
  });
  afterEach(() => db.destroy());

  async function add(email: string, extra: Omit<NewSubscriber, "email"> = {}) {
    return (await subscribers.create({ ...extra, email }, now)).subscriber;
  }

  it("groups a slot's active subscribers by language, categories and period start", async () => {
    const a = await add("a@example.org", { categories: ["olahraga", "ekonomi"] });
    const b = await add("b@example.org", { categories: ["ekonomi", "olahraga"] });
    await add("c@example.org", { language: "en" });
    await add("d@example.org");
    await add("e@example.org", { timezone: "Asia/Jayapura" });
    await add("f@example.org", { frequency: "weekly" });
    await add("g@example.org", { status: "unsubscribed" });
    const covered = await add("h@example.org");
    await db
      .updateTable("subscribers")
      .set({ covered_until: "2024-05-04T10:00:00.000Z" })
      .where("id", "=", covered.id)
      .execute();

    expect(await editions.digestGroups()).toEqual([
      { frequency: "daily", timezone: "Asia/Jakarta", subscribers: 5 },
      { frequency: "daily", timezone: "Asia/Jayapura", subscribers: 1 },
      { frequency: "weekly", timezone: "Asia/Jakarta", subscribers: 1 },
    ]);
    const { variants, upToId } = await editions.slotVariants(slot, dayBefore);
    expect(upToId).toBe(covered.id);
    const shown = variants.map((v) => ({
      language: v.language,
      categories: v.categories,
      start: v.start.toISOString(),
      subscribers: v.subscribers,
    }));
    expect(shown).toHaveLength(4);
    expect(shown).toEqual(
      expect.arrayContaining([
        {
          language: "id",
          categories: ["ekonomi", "olahraga"],
          start: dayBefore.toISOString(),
          subscribers: 2,
        },
        { language: "en", categories: [], start: dayBefore.toISOString(), subscribers: 1 },
        { language: "id", categories: [], start: dayBefore.toISOString(), subscribers: 1 },
        { language: "id", categories: [], start: "2024-05-04T10:00:00.000Z", subscribers: 1 },
      ]),
    );
    expect([a.id, b.id].every((id) => id <= upToId)).toBe(true);
  });

  it("stores a slot once, serves only the subscribers it saw, and never moves coverage back", async () => {
    const seen = await add("seen@example.org");
    const ahead = await add("ahead@example.org");
    await db
      .updateTable("subscribers")
      .set({ covered_until: "2024-05-05T02:00:00.000Z" })
      .where("id", "=", ahead.id)
      .execute();
    const { variants, upToId } = await editions.slotVariants(slot, dayBefore);
    // Joins after the variants were read: not in this slot's edition, nor covered by it.
    const late = await add("late@example.org");
    const fresh = variants.find((v) => v.start.getTime() === dayBefore.getTime())!;
    const composed = {
      slot,
      host: "news.example.org",
      defaultStart: dayBefore,
      upToId,
      variants: variants.map((variant) => ({
        variant,
        edition:
          variant === fresh
            ? { subject: "Warta", html: "<p>x</p>", text: "x", articleIds: [] }
            : null,
      })),
    };
    const stored = await editions.storeSlot(composed, now);
    expect(stored?.editions.map((e) => e.recipients)).toEqual([1]);
    expect(stored?.editions[0]?.edition).toMatchObject({
      frequency: "daily",
      timezone: "Asia/Jakarta",
      language: "id",
      segment: [],
      slotAt: now,
      periodStart: dayBefore,
      periodEnd: now,
    });
    expect(await editions.slotComposed(slot)).toBe(true);
    expect(await editions.storeSlot(composed, now)).toBeNull();
    const deliveries = await db.selectFrom("deliveries").select("subscriber_id").execute();
    expect(deliveries.map((d) => d.subscriber_id)).toEqual([seen.id]);
    expect((await subscribers.byId(seen.id))?.coveredUntil).toEqual(now);
    expect((await subscribers.byId(ahead.id))?.coveredUntil).toEqual(
      new Date("2024-05-05T02:00:00.000Z"),
    );
    expect((await subscribers.byId(late.id))?.coveredUntil).toBeUndefined();
  });
});

describe("edition store: one slot composed by two processes at once", () => {
  let dir: string;
  const opened: Db[] = [];
  afterEach(async () => {
    for (const db of opened.splice(0)) await db.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it("stores the slot once: the other process finds it taken and stores nothing", async () => {
    dir = mkdtempSync(path.join(tmpdir(), "warta-slots-"));
    const spec = newStoreSpec(dir);
    for (let i = 0; i < 2; i++) opened.push(await openDatabase(spec));
    const [first, second] = opened.map((db) => new SqlEditionRepository(db)) as [
      SqlEditionRepository,
      SqlEditionRepository,
    ];
    const people = new SqlSubscriberRepository(opened[0]!, {
      language: "id",
      timezone: "Asia/Jakarta",
    });
    for (const email of ["ani@example.org", "budi@example.org"]) {
      await people.create({ email }, now);
    }
    const { variants, upToId } = await first.slotVariants(slot, dayBefore);
    const composed = {
      slot,
      host: "news.example.org",
      defaultStart: dayBefore,
      upToId,
      variants: variants.map((variant) => ({
        variant,
        edition: { subject: "Warta", html: "<p>x</p>", text: "x", articleIds: [] },
      })),
    };
    // PostgreSQL runs both transactions at once; SQLite lets one writer in at a time, so between
    // processes the second waits for the first. Two connections in one process cannot show that
    // wait (better-sqlite3 blocks the thread while it waits, the first never commits, and the wait
    // times out), so there the second starts once the first is done.
    const results =
      testEngine === "postgres"
        ? await Promise.all([first.storeSlot(composed, now), second.storeSlot(composed, now)])
        : [await first.storeSlot(composed, now), await second.storeSlot(composed, now)];
    const stored = results.filter((result) => result !== null);
    expect(stored).toHaveLength(1);
    expect(stored[0]?.editions.map((e) => e.recipients)).toEqual([2]);
    expect(await first.ids()).toHaveLength(1);
    const deliveries = await opened[1]!.selectFrom("deliveries").select("subscriber_id").execute();
    expect(deliveries).toHaveLength(2);
    const slots = await opened[1]!.selectFrom("digest_slots").selectAll().execute();
    expect(slots).toEqual([
      {
        frequency: "daily",
        timezone: "Asia/Jakarta",
        slot_at: now.toISOString(),
        composed_at: now.toISOString(),
        editions: 1,
        recipients: 2,
      },
    ]);
  });
});

describe("article store: articles first seen in a period", () => {
  let db: Db;
  let articles: SqlArticleRepository;
  beforeEach(async () => {
    db = await openTestStore();
    articles = new SqlArticleRepository(db);
  });
  afterEach(() => db.destroy());

  it("selects by first-seen time, primary language and any of the categories, newest first", async () => {
    const ekonomi = [{ slug: "ekonomi", name: "Ekonomi" }];
    const olahraga = [{ slug: "olahraga", name: "Olahraga" }];
    await articles.upsert([article("before")], new Date("2024-05-03T22:59:59.999Z"));
    await articles.upsert(
      [
        article("id-eko", { categories: ekonomi }),
        article("en-gb", {
          language: "en-GB",
          categories: ekonomi,
          published: new Date("2024-05-04T05:00:00Z"),
        }),
        article("eng", { language: "eng", categories: ekonomi }),
        article("en-sport", { language: "en", categories: olahraga }),
      ],
      dayBefore,
    );
    await articles.upsert([article("at-end", { language: "en" })], now);

    const ids = async (filter: Parameters<typeof articles.firstSeenBetween>[2]) =>
      (await articles.firstSeenBetween(dayBefore, now, filter, 10)).map((a) => a.id);
    expect(await ids({ language: "en" })).toEqual(["en-gb", "en-sport"]);
    expect(await ids({ language: "en", categories: ["ekonomi"] })).toEqual(["en-gb"]);
    expect(await ids({ language: "id", categories: ["olahraga", "ekonomi"] })).toEqual(["id-eko"]);
    expect((await ids({})).sort()).toEqual(["en-gb", "en-sport", "eng", "id-eko"]);
    expect(await articles.firstSeenBetween(dayBefore, now, {}, 1)).toHaveLength(1);
  });
});
