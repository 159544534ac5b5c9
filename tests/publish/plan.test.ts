import { describe, expect, it } from "vitest";
import type { FeedsConfig, SiteConfig } from "../../src/config/schema.js";
import {
  type ArticleStamp,
  authorSlug,
  feedSignature,
  MonthFinder,
  monthRange,
  type PlannedFeed,
  planPublication,
} from "../../src/publish/index.js";

function makeSite(overrides: Partial<SiteConfig> = {}): SiteConfig {
  return {
    title: "Warta",
    description: "",
    base_url: "https://news.example.org/",
    language: "id",
    timezone: "Asia/Jakarta",
    ...overrides,
  };
}

function makeFeeds(overrides: Partial<FeedsConfig> = {}): FeedsConfig {
  return {
    items: 2,
    per_category: true,
    per_author: true,
    summary_variants: true,
    archives: true,
    editions: true,
    ...overrides,
  };
}

function stamp(
  id: string,
  published: string,
  fields: Partial<Omit<ArticleStamp, "id" | "published">> = {},
): ArticleStamp {
  return { id, published: new Date(published), categories: [], version: `v1-${id}`, ...fields };
}

/** Newest first, as the store gives them. */
function makeStamps(): ArticleStamp[] {
  return [
    stamp("e", "2024-04-02T00:00:00Z", { categories: ["ekonomi"], author: "Siti Rahma" }),
    // 1 March, 01:30 in Jakarta: still 29 February in UTC.
    stamp("d", "2024-02-29T18:30:00Z", { categories: ["ekonomi"], author: "siti rahma" }),
    stamp("c", "2024-02-29T16:30:00Z", { categories: ["dunia", "ekonomi"], author: "Budi" }),
    stamp("b", "2024-02-10T00:00:00Z", { categories: ["dunia"] }),
    stamp("a", "2024-01-05T00:00:00Z", { categories: ["ekonomi"], author: "王小明" }),
  ];
}

const plan = (site = makeSite(), feeds = makeFeeds(), editionIds?: number[]) =>
  planPublication({
    site,
    feeds,
    stamps: makeStamps(),
    categories: [
      { slug: "ekonomi", name: "Ekonomi" },
      { slug: "dunia", name: "Dunia" },
    ],
    editionIds,
  });

const byKey = (feeds: PlannedFeed[], key: string) => {
  const found = feeds.find((feed) => feed.key === key);
  if (!found) throw new Error(`no ${key} among ${feeds.map((f) => f.key).join(", ")}`);
  return found;
};

describe("months in the site's time zone", () => {
  it("spans a month from midnight on the 1st to midnight on the next 1st, local time", () => {
    expect(monthRange("2024-03", "Asia/Jakarta")).toEqual({
      start: new Date("2024-02-29T17:00:00Z"),
      end: new Date("2024-03-31T17:00:00Z"),
    });
    // Berlin moves to summer time on 31 March: the month is an hour short.
    expect(monthRange("2024-03", "Europe/Berlin")).toEqual({
      start: new Date("2024-02-29T23:00:00Z"),
      end: new Date("2024-03-31T22:00:00Z"),
    });
    expect(monthRange("2024-12", "UTC").end).toEqual(new Date("2025-01-01T00:00:00Z"));
  });

  it("tells the local month of instants, in order or not", () => {
    const finder = new MonthFinder("Asia/Jakarta");
    const months = [
      "2024-02-29T16:59:59Z",
      "2024-02-29T17:00:00Z",
      "2023-12-31T18:00:00Z",
      "2024-03-31T16:59:59.999Z",
      "2024-03-31T17:00:00Z",
    ].map((iso) => finder.monthOf(new Date(iso)));
    expect(months).toEqual(["2024-02", "2024-03", "2024-01", "2024-03", "2024-04"]);
  });
});

describe("authorSlug", () => {
  it("makes a slug of Latin names, folding accents and case", () => {
    expect(authorSlug("Siti Rahma")).toBe("siti-rahma");
    expect(authorSlug("  Türkiye Ñandú, Jr. ")).toBe("turkiye-nandu-jr");
    expect(authorSlug("siti rahma")).toBe(authorSlug("Siti Rahma"));
  });

  it("gives names without Latin letters a stable slug of their own", () => {
    expect(authorSlug("王小明")).toMatch(/^a-[0-9a-f]{12}$/);
    expect(authorSlug("王小明")).toBe(authorSlug("王小明"));
    expect(authorSlug("李华")).not.toBe(authorSlug("王小明"));
  });
});

describe("planPublication", () => {
  it("gives each feed the newest `items` articles of its scope", () => {
    const { feeds } = plan();
    expect(byKey(feeds, "site").articleIds).toEqual(["e", "d"]);
    expect(byKey(feeds, "category/ekonomi").articleIds).toEqual(["e", "d"]);
    expect(byKey(feeds, "category/dunia").articleIds).toEqual(["c", "b"]);
    expect(byKey(feeds, "category/dunia").title).toBe("Warta: Dunia");
  });

  it("writes one author feed for the spellings of a name that share a slug, and one per other author", () => {
    const { feeds } = plan();
    const authors = feeds.filter((feed) => feed.kind === "author");
    expect(authors.map((feed) => feed.key)).toEqual([
      `author/${authorSlug("王小明")}`,
      "author/budi",
      "author/siti-rahma",
    ]);
    const siti = byKey(feeds, "author/siti-rahma");
    expect(siti.articleIds).toEqual(["e", "d"]);
    // The smallest spelling, whatever order the articles come in.
    expect(siti.name).toBe("Siti Rahma");
    expect(siti.title).toBe("Warta: Siti Rahma");
  });

  it("puts every document of a variant in its own folder, summaries in summary/", () => {
    const ekonomi = byKey(plan().feeds, "category/ekonomi");
    expect(ekonomi.documents.map((d) => [d.path, d.format, d.variant])).toEqual([
      ["feeds/category/ekonomi/rss.xml", "rss", "full"],
      ["feeds/category/ekonomi/atom.xml", "atom", "full"],
      ["feeds/category/ekonomi/feed.json", "json", "full"],
      ["feeds/category/ekonomi/summary/rss.xml", "rss", "summary"],
      ["feeds/category/ekonomi/summary/atom.xml", "atom", "summary"],
      ["feeds/category/ekonomi/summary/feed.json", "json", "summary"],
    ]);
    const flat = plan(makeSite(), makeFeeds({ summary_variants: false, per_author: false }));
    expect(flat.feeds.flatMap((f) => f.documents).some((d) => d.variant === "summary")).toBe(false);
    expect(flat.feeds.some((f) => f.kind === "author")).toBe(false);
  });

  it("files each article in the archive of its month in the site's time zone, linking neighbours", () => {
    const { archives, feeds } = plan();
    expect(archives.map((a) => [a.key, a.articleIds])).toEqual([
      ["archive/2024-01", ["a"]],
      ["archive/2024-02", ["c", "b"]],
      ["archive/2024-03", ["d"]],
      ["archive/2024-04", ["e"]],
    ]);
    const march = byKey(archives, "archive/2024-03");
    expect(march.name).toBe("Maret 2024");
    expect(march.documents.map((d) => d.path)).toEqual([
      "feeds/archive/rss/2024-03.xml",
      "feeds/archive/2024-03.xml",
    ]);
    expect(march.specs[0]?.history).toEqual({
      archive: true,
      current: { rss: "feeds/rss.xml", atom: "feeds/atom.xml" },
      prevArchive: { rss: "feeds/archive/rss/2024-02.xml", atom: "feeds/archive/2024-02.xml" },
      nextArchive: { rss: "feeds/archive/rss/2024-04.xml", atom: "feeds/archive/2024-04.xml" },
    });
    expect(byKey(archives, "archive/2024-01").specs[0]?.history?.prevArchive).toBeUndefined();
    expect(byKey(archives, "archive/2024-04").specs[0]?.history?.nextArchive).toBeUndefined();
    // The subscription feed (full text) points at the newest archive; its summaries do not.
    const site = byKey(feeds, "site");
    expect(site.specs.map((spec) => spec.history)).toEqual([
      { prevArchive: { rss: "feeds/archive/rss/2024-04.xml", atom: "feeds/archive/2024-04.xml" } },
      undefined,
    ]);
    // In UTC the article of 1 March, 01:30 in Jakarta belongs to February.
    const utc = plan(makeSite({ timezone: "UTC" }));
    expect(byKey(utc.archives, "archive/2024-02").articleIds).toEqual(["d", "c", "b"]);
  });

  it("plans the editions feed only once there is an edition", () => {
    expect(plan().feeds.some((feed) => feed.kind === "editions")).toBe(false);
    expect(plan(makeSite(), makeFeeds(), []).feeds.some((f) => f.kind === "editions")).toBe(false);
    const editions = byKey(plan(makeSite(), makeFeeds(), [7, 6, 5]).feeds, "editions");
    expect(editions.editionIds).toEqual([7, 6]);
    expect(editions.documents.map((d) => d.path)).toEqual([
      "feeds/editions/rss.xml",
      "feeds/editions/atom.xml",
      "feeds/editions/feed.json",
    ]);
  });

  it("announces the WebSub hub in every feed's specs, but not in the archive pages", () => {
    const hub = "https://hub.example.org/";
    const planned = plan(makeSite(), makeFeeds({ websub_hub: hub }), [1]);
    for (const feed of planned.feeds) {
      for (const spec of feed.specs) expect(spec.hub, feed.key).toBe(hub);
    }
    for (const archive of planned.archives) expect(archive.specs[0]?.hub).toBeUndefined();
  });
});

describe("feedSignature", () => {
  const names = new Map([
    ["ekonomi", "Ekonomi"],
    ["dunia", "Dunia"],
  ]);
  const signature = (stamps: ArticleStamp[], key: string, categoryNames = names) => {
    const feeds = planPublication({
      site: makeSite(),
      feeds: makeFeeds(),
      stamps,
      categories: [...categoryNames].map(([slug, name]) => ({ slug, name })),
    });
    const feed = [...feeds.feeds, ...feeds.archives].find((f) => f.key === key);
    if (!feed) throw new Error(`no ${key}`);
    return feedSignature(feed, makeSite(), new Map(stamps.map((s) => [s.id, s])), categoryNames);
  };
  const edited = (id: string) =>
    makeStamps().map((s) => (s.id === id ? { ...s, version: `v2-${id}` } : s));

  it("is the same for the same inputs, and changes when one of the feed's articles does", () => {
    expect(signature(makeStamps(), "category/dunia")).toBe(
      signature(makeStamps(), "category/dunia"),
    );
    expect(signature(edited("c"), "category/dunia")).not.toBe(
      signature(makeStamps(), "category/dunia"),
    );
    expect(signature(edited("c"), "archive/2024-02")).not.toBe(
      signature(makeStamps(), "archive/2024-02"),
    );
  });

  it("stays the same when only articles outside the feed change", () => {
    // "a" is too old for the site feed (2 items) and in another month than February.
    expect(signature(edited("a"), "site")).toBe(signature(makeStamps(), "site"));
    expect(signature(edited("a"), "archive/2024-02")).toBe(
      signature(makeStamps(), "archive/2024-02"),
    );
    expect(signature(edited("e"), "category/dunia")).toBe(
      signature(makeStamps(), "category/dunia"),
    );
  });

  it("changes when a category of one of its articles is renamed", () => {
    const renamed = new Map([...names, ["ekonomi", "Ekonomi & Bisnis"]]);
    // c is in Dunia and Ekonomi: the Dunia feed lists both category names for it.
    expect(signature(makeStamps(), "category/dunia", renamed)).not.toBe(
      signature(makeStamps(), "category/dunia"),
    );
  });

  it("changes for an archive page when a neighbouring month appears", () => {
    const withMay = [stamp("f", "2024-05-01T00:00:00Z"), ...makeStamps()];
    expect(signature(withMay, "archive/2024-04")).not.toBe(
      signature(makeStamps(), "archive/2024-04"),
    );
    expect(signature(withMay, "archive/2024-03")).toBe(signature(makeStamps(), "archive/2024-03"));
  });
});
