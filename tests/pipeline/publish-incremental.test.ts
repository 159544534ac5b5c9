import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FeedsConfig, SiteConfig } from "../../src/config/schema.js";
import type { ArticleInput } from "../../src/domain/index.js";
import {
  ageFiles,
  articleInput,
  changedFiles,
  openPublishStore,
  type PublishStore,
  snapshotFiles,
} from "../helpers/publish-store.js";
import { type ParsedFeed, parseAllWithFeedparser } from "../publish/readers.js";

const SITE: SiteConfig = {
  title: "Warta Uji",
  description: "",
  base_url: "https://news.example.org/",
  language: "id",
  timezone: "Asia/Jakarta",
};

const FEEDS: FeedsConfig = {
  items: 5,
  per_category: true,
  per_author: true,
  summary_variants: true,
  archives: true,
  editions: true,
};

const EKONOMI = { slug: "ekonomi", name: "Ekonomi" };
const DUNIA = { slug: "dunia", name: "Dunia" };
const OLAHRAGA = { slug: "olahraga", name: "Olahraga" };

/** Three months (Jakarta time) of articles in three categories by three authors. */
function makeArticles(): ArticleInput[] {
  const categories = [EKONOMI, DUNIA, OLAHRAGA];
  const authors = ["Siti Rahma", "Budi", "Aigerim Tazhi"];
  return Array.from({ length: 12 }, (_, i) =>
    articleInput(
      `a${String(i).padStart(2, "0")}`,
      new Date(Date.UTC(2024, 0, 3 + i * 7)).toISOString(),
      {
        categories: [categories[i % 3] as (typeof categories)[number]],
        author: authors[i % 3] as string,
      },
    ),
  );
}

function readFeed(store: PublishStore, file: string): ParsedFeed {
  const [feed] = parseAllWithFeedparser([readFileSync(path.join(store.publicDir, file), "utf8")]);
  if (feed?.bozo === 0) return feed;
  throw new Error(`${file} does not parse: ${feed?.bozoException}`);
}

/** Every document of a feed folder: full text and summaries, three formats. */
const documentsOf = (dir: string) =>
  ["", "summary/"].flatMap((variant) =>
    ["rss.xml", "atom.xml", "feed.json"].map((file) => `${dir}/${variant}${file}`),
  );

describe("incremental publishing", () => {
  let store: PublishStore;
  beforeEach(async () => {
    store = await openPublishStore(SITE, FEEDS);
    await store.articles.upsert(makeArticles(), new Date("2024-03-25T00:00:00Z"));
    await store.publish();
    ageFiles(store.publicDir);
  });
  afterEach(() => store.close());

  it("renders and writes nothing when nothing changed, keeping every file's bytes, mtime and inode", async () => {
    const before = snapshotFiles(store.publicDir);
    const again = await store.publish();
    expect(again.rendered).toEqual([]);
    expect(again.written).toEqual([]);
    expect(again.renderedFeeds).toEqual([]);
    expect(again.writtenFeeds).toEqual([]);
    // Every file is still accounted for, unchanged: same bytes, size and modification time,
    // so the ETag and Last-Modified a server derives from them stay, and pollers get 304.
    expect([...again.files].sort()).toEqual([...before.keys()].sort());
    expect(changedFiles(before, snapshotFiles(store.publicDir))).toEqual([]);
  });

  it("after one new article, rewrites only the site-wide feeds and those of its category, author and month", async () => {
    const before = snapshotFiles(store.publicDir);
    // Newest of all, in Ekonomi, by Budi, in March (Jakarta time) like the newest stored ones.
    const added = articleInput("baru", "2024-03-21T05:00:00Z", {
      categories: [EKONOMI],
      author: "Budi",
    });
    await store.articles.upsert([added], new Date("2024-03-25T01:00:00Z"));
    const summary = await store.publish();
    const expected = [
      ...documentsOf("feeds"),
      ...documentsOf("feeds/category/ekonomi"),
      ...documentsOf("feeds/author/budi"),
      "feeds/archive/2024-03.xml",
      "feeds/archive/rss/2024-03.xml",
    ].sort();
    expect([...summary.renderedFeeds].sort()).toEqual([
      "archive/2024-03",
      "author/budi",
      "category/ekonomi",
      "site",
    ]);
    expect([...summary.rendered].sort()).toEqual(expected);
    expect(summary.written).toEqual(expected);
    // Nothing else was touched: not Dunia's or Olahraga's feeds, not other authors' or months',
    // not the OPML file nor the index page (the list of feeds did not change).
    expect(changedFiles(before, snapshotFiles(store.publicDir))).toEqual(expected);
    expect(readFeed(store, "feeds/atom.xml").entries[0]?.title).toBe("Judul baru");
  });

  it("after an edited title, rewrites that article's feeds and keeps its guid", async () => {
    const before = snapshotFiles(store.publicDir);
    const original = makeArticles()[10] as ArticleInput; // a10: Dunia, Budi, the 13th of March
    const oldEntry = readFeed(store, "feeds/category/dunia/rss.xml").entries.find((e) =>
      e.id?.endsWith(`:${original.id}`),
    );
    expect(oldEntry?.title).toBe("Judul a10");
    await store.articles.upsert(
      [{ ...original, title: "Judul yang diperbaiki", contentHash: "hash-a10-edited" }],
      new Date("2024-03-26T00:00:00Z"),
    );
    const summary = await store.publish();
    // a10 is the 11th article: i % 3 = 1, so Dunia and Budi; published in March.
    expect([...summary.renderedFeeds].sort()).toEqual([
      "archive/2024-03",
      "author/budi",
      "category/dunia",
      "site",
    ]);
    expect(changedFiles(before, snapshotFiles(store.publicDir))).toEqual(
      [
        ...documentsOf("feeds"),
        ...documentsOf("feeds/category/dunia"),
        ...documentsOf("feeds/author/budi"),
        "feeds/archive/2024-03.xml",
        "feeds/archive/rss/2024-03.xml",
      ].sort(),
    );
    const newEntry = readFeed(store, "feeds/category/dunia/rss.xml").entries.find(
      (e) => e.title === "Judul yang diperbaiki",
    );
    expect(newEntry?.id).toBe(oldEntry?.id);
    expect(newEntry?.id).toBe("tag:news.example.org,2024-03-25:a10");
  });

  it("writes a deleted file again, though its feed did not change, and only that file", async () => {
    rmSync(path.join(store.publicDir, "feeds/category/dunia/summary/atom.xml"));
    const before = snapshotFiles(store.publicDir);
    const summary = await store.publish();
    expect(summary.renderedFeeds).toEqual(["category/dunia"]);
    expect(summary.written).toEqual(["feeds/category/dunia/summary/atom.xml"]);
    expect(changedFiles(before, snapshotFiles(store.publicDir))).toEqual([
      "feeds/category/dunia/summary/atom.xml",
    ]);
  });

  it("after an article in a new month, adds its archive page, relinks the previous newest, and updates the index", async () => {
    const before = snapshotFiles(store.publicDir);
    // 1 April, 06:00 in Jakarta.
    const april = articleInput("april", "2024-03-31T23:00:00Z", {
      categories: [OLAHRAGA],
      author: "Siti Rahma",
    });
    await store.articles.upsert([april], new Date("2024-04-01T00:00:00Z"));
    const summary = await store.publish();
    expect([...summary.renderedFeeds].sort()).toEqual([
      "archive/2024-03",
      "archive/2024-04",
      "author/siti-rahma",
      "catalog",
      "category/olahraga",
      "site",
    ]);
    // The OPML file lists subscription feeds only: rendered, but its bytes did not change.
    expect(summary.rendered).toContain("feeds.opml");
    expect(summary.writtenFeeds).toEqual([...summary.renderedFeeds].sort());
    expect(changedFiles(before, snapshotFiles(store.publicDir))).toEqual(
      [
        ...documentsOf("feeds"),
        ...documentsOf("feeds/category/olahraga"),
        ...documentsOf("feeds/author/siti-rahma"),
        "feeds/archive/2024-03.xml",
        "feeds/archive/rss/2024-03.xml",
        "feeds/archive/2024-04.xml",
        "feeds/archive/rss/2024-04.xml",
        "index.html",
      ].sort(),
    );
    const march = readFileSync(path.join(store.publicDir, "feeds/archive/2024-03.xml"), "utf8");
    expect(march).toContain(
      '<link rel="next-archive" href="https://news.example.org/feeds/archive/2024-04.xml"',
    );
  });

  it("renders every feed a setting shows in when it changes (a WebSub hub), and only those", async () => {
    const before = snapshotFiles(store.publicDir);
    const summary = await store.publish({ feeds: { websub_hub: "https://hub.example.org/" } });
    // Archive pages announce no hub (nobody subscribes to them): their inputs did not change.
    const subscriptions = [...before.keys()]
      .filter((file) => file.startsWith("feeds/") && !file.startsWith("feeds/archive/"))
      .sort();
    expect([...summary.rendered].sort()).toEqual(subscriptions);
    expect(summary.written).toEqual(subscriptions);
    expect(changedFiles(before, snapshotFiles(store.publicDir))).toEqual(subscriptions);
  });

  it("with force, renders every feed but writes none whose bytes are the same", async () => {
    const before = snapshotFiles(store.publicDir);
    const summary = await store.publish({ force: true });
    expect([...summary.rendered].sort()).toEqual([...before.keys()].sort());
    expect(summary.written).toEqual([]);
    expect(summary.writtenFeeds).toEqual([]);
    expect(changedFiles(before, snapshotFiles(store.publicDir))).toEqual([]);
  });

  it("after a new edition, writes its page and the editions feed, and lists that feed once it exists", async () => {
    const before = snapshotFiles(store.publicDir);
    expect(before.has("feeds/editions/rss.xml")).toBe(false);
    const created = new Date("2024-03-25T23:00:00Z");
    await store.editions.create(
      {
        subject: "Warta Uji: edisi 1",
        html: "<!DOCTYPE html><html><body><p>Edisi 1</p></body></html>",
        text: "Edisi 1",
        periodStart: null,
        periodEnd: created,
        articleIds: [],
        recipients: [],
      },
      created,
    );
    const summary = await store.publish();
    expect([...summary.renderedFeeds].sort()).toEqual(["catalog", "editions", "newsletter/1"]);
    expect(changedFiles(before, snapshotFiles(store.publicDir))).toEqual(
      [
        "feeds.opml",
        "feeds/editions/atom.xml",
        "feeds/editions/feed.json",
        "feeds/editions/rss.xml",
        "index.html",
        "newsletter/1/index.html",
      ].sort(),
    );
    const again = await store.publish();
    expect(again.rendered).toEqual([]);
  });
});
