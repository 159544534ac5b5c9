import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ArticleInput } from "../../src/domain/index.js";
import { simhash } from "../../src/shared/simhash.js";
import {
  type Db,
  SqlArticleRepository,
  SqlEditionRepository,
  SqlSourceStateRepository,
  SqlSubscriberRepository,
} from "../../src/store/index.js";
import { openTestStore } from "../helpers/store.js";

function article(id: string, overrides: Partial<ArticleInput> = {}): ArticleInput {
  return {
    id,
    sourceId: "s",
    sourceKey: `${id}.md`,
    url: `https://news.example.org/artikel/${id}/`,
    title: `Judul ${id}`,
    summary: "Ringkasan.",
    contentHtml: "<p>Isi.</p>",
    contentText: "Isi.",
    categories: [{ slug: "ekonomi", name: "Ekonomi" }],
    tags: ["pasar"],
    language: "id",
    published: new Date("2024-05-04T03:00:00Z"),
    updated: new Date("2024-05-04T03:00:00Z"),
    contentHash: `hash-${id}`,
    ...overrides,
  };
}

describe("article store", () => {
  let db: Db;
  let repo: SqlArticleRepository;
  beforeEach(async () => {
    db = await openTestStore();
    repo = new SqlArticleRepository(db);
  });
  afterEach(() => db.destroy());

  it("stores an article once however often it is upserted", async () => {
    const first = await repo.upsert([article("a"), article("b")], new Date("2024-05-05T00:00:00Z"));
    expect(first).toEqual({ inserted: 2, updated: 0, unchanged: 0, merged: 0 });
    const again = await repo.upsert([article("a"), article("b")], new Date("2024-05-06T00:00:00Z"));
    expect(again).toEqual({ inserted: 0, updated: 0, unchanged: 2, merged: 0 });
    expect(await repo.count()).toBe(2);
  });

  it("updates an edited article and keeps when it was first seen", async () => {
    await repo.upsert([article("a")], new Date("2024-05-05T00:00:00Z"));
    const edited = article("a", {
      title: "Judul baru",
      contentHash: "hash-a-2",
      categories: [{ slug: "daerah", name: "Daerah" }],
    });
    expect(await repo.upsert([edited], new Date("2024-05-07T00:00:00Z"))).toEqual({
      inserted: 0,
      updated: 1,
      unchanged: 0,
      merged: 0,
    });
    const [stored] = await repo.byIds(["a"]);
    expect(stored?.title).toBe("Judul baru");
    expect(stored?.categories).toEqual([{ slug: "daerah", name: "Daerah" }]);
    expect(stored?.firstSeen.toISOString()).toBe("2024-05-05T00:00:00.000Z");
    expect(await repo.categories()).toEqual([{ slug: "daerah", name: "Daerah" }]);
  });

  it("lists the newest articles first, overall and per category", async () => {
    await repo.upsert(
      [
        article("old", { published: new Date("2024-05-01T00:00:00Z") }),
        article("new", { published: new Date("2024-05-09T00:00:00Z") }),
        article("mid", {
          published: new Date("2024-05-05T00:00:00Z"),
          categories: [{ slug: "olahraga", name: "Olahraga" }],
        }),
      ],
      new Date("2024-05-10T00:00:00Z"),
    );
    expect((await repo.latest(10)).map((a) => a.id)).toEqual(["new", "mid", "old"]);
    expect((await repo.latest(2)).map((a) => a.id)).toEqual(["new", "mid"]);
    expect((await repo.latest(10, "ekonomi")).map((a) => a.id)).toEqual(["new", "old"]);
  });

  it("keeps optional fields and the lead image as given", async () => {
    const input = article("a", {
      author: "Siti",
      image: { url: "https://news.example.org/a.jpg", alt: "Pasar", width: 600, height: 400 },
      dateline: "Jambi",
      credit: "Antara",
    });
    await repo.upsert([input], new Date("2024-05-05T00:00:00Z"));
    const [stored] = await repo.byIds(["a"]);
    const { firstSeen, ...rest } = stored!;
    expect(rest).toEqual(input);
  });

  it("finds the articles first stored after a time", async () => {
    await repo.upsert([article("a")], new Date("2024-05-05T00:00:00Z"));
    await repo.upsert([article("b")], new Date("2024-05-06T00:00:00Z"));
    const after = await repo.collectedAfter(new Date("2024-05-05T12:00:00Z"), 10);
    expect(after.map((a) => a.id)).toEqual(["b"]);
  });
});

describe("deduplication", () => {
  let db: Db;
  let repo: SqlArticleRepository;
  beforeEach(async () => {
    db = await openTestStore();
    repo = new SqlArticleRepository(db);
  });
  afterEach(() => db.destroy());

  const body = (topic: string) =>
    `Pemerintah Kota Jambi meresmikan ${topic} baru di kawasan Telanaipura pada Senin pagi. ` +
    "Wali kota mengatakan fasilitas itu dibangun dengan anggaran daerah dan akan melayani warga dari " +
    "enam kecamatan sekitar. Warga menyambut baik pembangunan tersebut karena selama ini mereka harus " +
    "menempuh perjalanan jauh ke pusat kota. Dinas terkait berjanji menambah petugas dan memperpanjang " +
    "jam layanan mulai bulan depan agar antrean tidak menumpuk pada akhir pekan.";

  it("stores a story from a second source once and remembers both sources", async () => {
    const first = article("a", {
      sourceId: "antara",
      sourceKey: "guid-1",
      canonicalUrl: "https://news.example.org/a",
    });
    const second = article("b", {
      sourceId: "partner",
      sourceKey: "https://news.example.org/a/?utm_source=partner",
      canonicalUrl: "https://news.example.org/a",
      title: "Judul mitra",
      contentHash: "other",
    });
    await repo.upsert([first], new Date("2024-05-05T00:00:00Z"));
    expect(await repo.upsert([second], new Date("2024-05-06T00:00:00Z"))).toMatchObject({
      inserted: 0,
      merged: 1,
    });
    expect(await repo.count()).toBe(1);
    const [stored] = await repo.latest(1);
    expect(stored?.title).toBe("Judul a");
    expect((await repo.sourcesOf("a")).map((s) => s.sourceId)).toEqual(["antara", "partner"]);
    // Seen again from the second source: still one article, and the first source's text stays.
    expect(await repo.upsert([second], new Date("2024-05-07T00:00:00Z"))).toMatchObject({
      unchanged: 1,
    });
    expect(await repo.count()).toBe(1);
  });

  it("recognises a story republished under a new URL by its text", async () => {
    const text = body("puskesmas");
    const original = article("a", {
      contentText: text,
      fingerprint: simhash(text)!,
      canonicalUrl: "https://news.example.org/a",
    });
    const copyText = `${text.replace("Senin pagi", "Senin (6/5) pagi")} Baca juga berita lainnya.`;
    const copy = article("b", {
      sourceId: "mitra",
      sourceKey: "x",
      contentText: copyText,
      fingerprint: simhash(copyText)!,
      canonicalUrl: "https://mitra.example.com/berita/puskesmas-baru",
      published: new Date("2024-05-05T09:00:00Z"),
    });
    await repo.upsert([original], new Date("2024-05-05T00:00:00Z"));
    expect(await repo.upsert([copy], new Date("2024-05-06T00:00:00Z"))).toMatchObject({
      merged: 1,
    });
    expect(await repo.count()).toBe(1);
    expect((await repo.sourcesOf("a")).map((s) => s.url)).toEqual([
      "https://news.example.org/artikel/a/",
      "https://news.example.org/artikel/b/",
    ]);
  });

  it("keeps two different stories apart even when they share a template", async () => {
    const one = body("puskesmas");
    const two =
      "Persijam Jambi menang dua gol tanpa balas atas tamunya di Stadion Tri Lomba Juang pada Sabtu malam. " +
      "Gol pertama dicetak pada menit kedua puluh melalui sundulan kapten tim setelah menerima umpan " +
      "silang dari sisi kanan. Pelatih memuji disiplin para pemain bertahan yang menjaga gawang tetap " +
      "bersih sepanjang pertandingan, sementara ribuan suporter memadati tribun meski hujan turun sejak sore.";
    await repo.upsert(
      [
        article("a", { contentText: one, fingerprint: simhash(one)! }),
        article("b", { contentText: two, fingerprint: simhash(two)! }),
      ],
      new Date("2024-05-05T00:00:00Z"),
    );
    expect(await repo.count()).toBe(2);
  });

  it("tells which canonical URLs are already stored", async () => {
    await repo.upsert(
      [article("a", { canonicalUrl: "https://news.example.org/a" })],
      new Date("2024-05-05T00:00:00Z"),
    );
    const known = await repo.knownUrls([
      "https://news.example.org/a",
      "https://news.example.org/b",
    ]);
    expect([...known]).toEqual(["https://news.example.org/a"]);
  });
});

describe("source state", () => {
  it("saves and reads back the polling state of a source", async () => {
    const db = await openTestStore();
    try {
      const states = new SqlSourceStateRepository(db);
      expect(await states.get("antara")).toBeUndefined();
      const state = {
        sourceId: "antara",
        etag: '"abc"',
        lastModified: "Sat, 04 May 2024 03:00:00 GMT",
        lastAttempt: new Date("2024-05-04T03:00:00Z"),
        lastSuccess: new Date("2024-05-04T03:00:00Z"),
        consecutiveFailures: 0,
        nextPoll: new Date("2024-05-04T03:15:00Z"),
        items: 20,
      };
      await states.save(state);
      expect(await states.get("antara")).toEqual(state);
      const failed = {
        ...state,
        consecutiveFailures: 2,
        lastError: "fetch: HTTP 503",
        lastErrorAt: new Date("2024-05-04T04:00:00Z"),
      };
      await states.save(failed);
      expect(await states.all()).toEqual([failed]);
    } finally {
      await db.destroy();
    }
  });
});

describe("editions and deliveries", () => {
  let db: Db;
  beforeEach(async () => {
    db = await openTestStore();
  });
  afterEach(() => db.destroy());

  it("queues one delivery per subscriber and never twice", async () => {
    const subscribers = new SqlSubscriberRepository(db, {
      language: "id",
      timezone: "Asia/Jakarta",
    });
    const editions = new SqlEditionRepository(db);
    const now = new Date("2024-05-05T00:00:00Z");
    expect(
      await subscribers.addIfAbsent(
        [{ email: "Ani@Example.org" }, { email: "ani@example.org" }, { email: "budi@example.com" }],
        now,
      ),
    ).toBe(2);
    const active = await subscribers.active();
    const edition = await editions.create(
      {
        subject: "S",
        html: "<p>h</p>",
        text: "t",
        periodStart: null,
        periodEnd: now,
        articleIds: [],
        recipients: [
          ...active.map((s) => ({ subscriberId: s.id, messageId: `<m${s.id}@x>` })),
          { subscriberId: active[0]!.id, messageId: "<dup@x>" },
        ],
      },
      now,
    );
    expect(await editions.queuedCount()).toBe(2);
    await editions.markSent(edition.id, active[0]!.id, now, "250 ok");
    const queued = await editions.queued(10);
    expect(queued.map((d) => d.email)).toEqual(["budi@example.com"]);
    expect(await editions.deliveryCounts(edition.id)).toEqual({ queued: 1, sent: 1 });
  });
});
