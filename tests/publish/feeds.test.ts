import { afterEach, describe, expect, it, vi } from "vitest";
import type { FeedsConfig, SiteConfig } from "../../src/config/schema.js";
import type { Article, Category } from "../../src/domain/article.js";
import { type FeedFile, renderFeed, renderFeedSet } from "../../src/publish/index.js";
import { isAppError } from "../../src/shared/errors.js";
import { type ParsedFeed, parseWithFeedparser, parseXml } from "./readers.js";
import { checkAtom, checkJsonFeed, checkRss } from "./validity.js";

// ---------------------------------------------------------------------------------------------
// Fixtures: built fresh by each test, with fixed dates.

const EKONOMI: Category = { slug: "ekonomi", name: "Ekonomi & Bisnis" };
const DUNIA: Category = { slug: "dunia", name: "Dunia <Internasional>" };
const NASIONAL: Category = { slug: "nasional", name: "Nasional" };
const OLAHRAGA: Category = { slug: "olahraga", name: "Olahraga" };

function makeSite(overrides: Partial<SiteConfig> = {}): SiteConfig {
  return {
    title: "Warta Nusantara",
    description: "Berita terbaru & terpercaya",
    base_url: "https://news.example.org/",
    language: "id",
    timezone: "Asia/Jakarta",
    author: "Redaksi Warta",
    copyright: "© 2024 Warta Nusantara",
    ...overrides,
  };
}

function makeArticle(
  fields: Pick<Article, "id" | "title" | "url" | "categories"> & {
    published: string;
    updated?: string;
    firstSeen: string;
  } & Partial<Omit<Article, "published" | "updated" | "firstSeen">>,
): Article {
  const { published, updated, firstSeen, ...rest } = fields;
  return {
    sourceId: "redaksi",
    sourceKey: `${fields.id}.md`,
    summary: "",
    contentHtml: `<p>${fields.id}</p>`,
    contentText: fields.id,
    tags: [],
    language: "id",
    contentHash: `hash-${fields.id}`,
    ...rest,
    published: new Date(published),
    updated: new Date(updated ?? published),
    firstSeen: new Date(firstSeen),
  };
}

/** Six articles; by publication time, newest first: B, A, C, D, E (ties with D; id after), F. */
function makeArticles(): Article[] {
  return [
    makeArticle({
      id: "beras-2024",
      title: 'Harga beras naik 5% & stok "aman" <kata Bulog>',
      url: "https://news.example.org/ekonomi/harga-beras?utm=rss&ref=warta",
      summary: "Bulog: stok 1,2 juta ton & harga <stabil>.",
      contentHtml: "<p>Harga beras &amp; gula naik di <b>Jakarta</b>.</p>",
      categories: [EKONOMI],
      author: "Siti Rahma",
      // 05:00 and 06:30 in Jakarta on 5 March, but still 4 March in UTC.
      published: "2024-03-04T22:00:00Z",
      updated: "2024-03-05T03:30:00Z",
      firstSeen: "2024-03-04T23:30:00Z",
      image: { url: "https://cdn.example.org/foto/beras.JPG", alt: "Karung beras" },
    }),
    makeArticle({
      id: "turkiye-kazakhstan",
      title: 'Türkiye and Kazakhstan sign "Middle Corridor" deal ]]> analysis',
      url: "https://news.example.org/en/turkiye-kazakhstan",
      summary: "Ankara & Astana agree on rail <and> ports.",
      contentHtml: "<p>Astana — Türkiye &amp; Kazakhstan… <code>a[i[j]]>b</code> ]]></p>",
      categories: [DUNIA, EKONOMI],
      author: "Aigerim Tazhi",
      language: "en",
      published: "2024-03-05T08:15:00Z",
      firstSeen: "2024-03-05T08:20:00Z",
      image: { url: "https://cdn.example.org/foto/koridor.png", type: "image/png", length: 48213 },
    }),
    makeArticle({
      id: "banjir-jakarta",
      title: "Banjir di Jakarta: 3.000 warga mengungsi",
      url: "https://news.example.org/nasional/banjir-jakarta",
      summary: "Ketinggian air mencapai 1,5 meter.",
      categories: [NASIONAL],
      published: "2024-03-03T10:00:00Z",
      // Edited three days later: the newest edit of all the articles.
      updated: "2024-03-06T09:00:00Z",
      firstSeen: "2024-03-03T10:05:00Z",
    }),
    makeArticle({
      id: "pemilu-a",
      title: "Hasil hitung cepat: KPU & Bawaslu",
      url: "https://news.example.org/nasional/pemilu-a",
      categories: [NASIONAL],
      published: "2024-03-02T12:00:00Z",
      firstSeen: "2024-03-02T12:01:00Z",
    }),
    makeArticle({
      id: "pemilu-b",
      title: "Partisipasi pemilih capai 80%",
      url: "https://news.example.org/nasional/pemilu-b",
      categories: [NASIONAL],
      published: "2024-03-02T12:00:00Z",
      firstSeen: "2024-03-02T12:01:00Z",
    }),
    makeArticle({
      id: "arsip/2024 edisi#1",
      title: "Arsip: inflasi Februari",
      url: "https://news.example.org/ekonomi/inflasi-februari",
      categories: [EKONOMI],
      published: "2024-02-20T00:00:00Z",
      firstSeen: "2024-02-20T01:00:00Z",
    }),
  ];
}

const ID = {
  beras: "tag:news.example.org,2024-03-04:beras-2024",
  turkiye: "tag:news.example.org,2024-03-05:turkiye-kazakhstan",
  banjir: "tag:news.example.org,2024-03-03:banjir-jakarta",
  pemiluA: "tag:news.example.org,2024-03-02:pemilu-a",
  pemiluB: "tag:news.example.org,2024-03-02:pemilu-b",
  arsip: "tag:news.example.org,2024-02-20:arsip/2024%20edisi%231",
};

function renderSet(
  articles = makeArticles(),
  feeds: Partial<FeedsConfig> = {},
  site = makeSite(),
): FeedFile[] {
  return renderFeedSet({
    site,
    feeds: {
      items: 4,
      per_category: true,
      per_author: false,
      summary_variants: false,
      archives: false,
      editions: false,
      ...feeds,
    },
    articles,
    categories: [EKONOMI, DUNIA, NASIONAL, OLAHRAGA],
  });
}

function body(files: FeedFile[], path: string): string {
  const file = files.find((f) => f.path === path);
  if (!file) throw new Error(`no ${path} among ${files.map((f) => f.path).join(", ")}`);
  return file.body;
}

/** Parses with feedparser and fails with feedparser's own complaint when the feed is bozo. */
function readFeed(xml: string): ParsedFeed {
  const parsed = parseWithFeedparser(xml);
  expect(parsed.bozoException, "feedparser bozo_exception").toBeNull();
  expect(parsed.bozo).toBe(0);
  return parsed;
}

interface JsonFeedItem {
  id: string;
  url: string;
  title: string;
  content_html?: string;
  content_text?: string;
  summary?: string;
  image?: string;
  date_published: string;
  date_modified: string;
  tags?: string[];
  authors?: { name: string }[];
  language?: string;
}

interface JsonFeed {
  version: string;
  title: string;
  home_page_url: string;
  feed_url: string;
  language: string;
  authors?: { name: string }[];
  items: JsonFeedItem[];
}

function at<T>(list: readonly T[], index: number): T {
  const value = list[index];
  if (value === undefined) throw new Error(`no element ${index} in a list of ${list.length}`);
  return value;
}

function asRecord(value: unknown): Record<string, unknown> {
  if (typeof value !== "object" || value === null) throw new Error(`not an object: ${value}`);
  return value as Record<string, unknown>;
}

function asList(value: unknown): Record<string, unknown>[] {
  return (Array.isArray(value) ? value : value === undefined ? [] : [value]).map(asRecord);
}

afterEach(() => {
  vi.useRealTimers();
});

// ---------------------------------------------------------------------------------------------

describe("renderFeedSet", () => {
  it("writes the three site-wide files and three per category with articles, with their content types", () => {
    const files = renderSet();
    const paths = files.map((f) => f.path);
    // Olahraga has no article: no feed for it.
    const expected = [
      "feeds",
      ...["dunia", "ekonomi", "nasional"].map((s) => `feeds/category/${s}`),
    ].flatMap((dir) => [`${dir}/rss.xml`, `${dir}/atom.xml`, `${dir}/feed.json`]);
    expect([...paths].sort()).toEqual([...expected, "feeds.opml", "index.html"].sort());
    const types = new Map(files.map((f) => [f.path.split("/").pop(), f.contentType]));
    expect(types.get("rss.xml")).toBe("application/rss+xml; charset=utf-8");
    expect(types.get("atom.xml")).toBe("application/atom+xml; charset=utf-8");
    expect(types.get("feed.json")).toBe("application/feed+json; charset=utf-8");
  });

  it("writes no category feeds when feeds.per_category is false", () => {
    const paths = renderSet(makeArticles(), { per_category: false }).map((f) => f.path);
    expect(paths).toEqual([
      "feeds/rss.xml",
      "feeds/atom.xml",
      "feeds/feed.json",
      "feeds.opml",
      "index.html",
    ]);
  });

  it("RSS 2.0 reads back in feedparser with every item's title, link, guid, date and the self link", () => {
    const feed = readFeed(body(renderSet(), "feeds/rss.xml"));
    expect(feed.version).toBe("rss20");
    expect(feed.feed.title).toBe("Warta Nusantara");
    expect(feed.feed.language).toBe("id");
    expect(feed.feed.link).toBe("https://news.example.org/");
    // lastBuildDate: the newest edit among the four items (banjir-jakarta, edited 6 March).
    expect(feed.feed.updated).toBe("2024-03-06T09:00:00Z");
    expect(feed.feed.links).toContainEqual({
      rel: "self",
      href: "https://news.example.org/feeds/rss.xml",
      type: "application/rss+xml",
    });
    expect(feed.entries.map((e) => [e.id, e.title, e.link, e.published])).toEqual([
      [
        ID.turkiye,
        'Türkiye and Kazakhstan sign "Middle Corridor" deal ]]> analysis',
        "https://news.example.org/en/turkiye-kazakhstan",
        "2024-03-05T08:15:00Z",
      ],
      [
        ID.beras,
        'Harga beras naik 5% & stok "aman" <kata Bulog>',
        "https://news.example.org/ekonomi/harga-beras?utm=rss&ref=warta",
        "2024-03-04T22:00:00Z",
      ],
      [
        ID.banjir,
        "Banjir di Jakarta: 3.000 warga mengungsi",
        "https://news.example.org/nasional/banjir-jakarta",
        "2024-03-03T10:00:00Z",
      ],
      [
        ID.pemiluA,
        "Hasil hitung cepat: KPU & Bawaslu",
        "https://news.example.org/nasional/pemilu-a",
        "2024-03-02T12:00:00Z",
      ],
    ]);
    const [turkiye, beras] = [at(feed.entries, 0), at(feed.entries, 1)];
    expect(turkiye.summary).toBe("Ankara & Astana agree on rail <and> ports.");
    expect(turkiye.content).toEqual([
      "<p>Astana — Türkiye &amp; Kazakhstan… <code>a[i[j]]>b</code> ]]></p>",
    ]);
    expect(turkiye.tags.map((t) => t.term)).toEqual(["Dunia <Internasional>", "Ekonomi & Bisnis"]);
    expect(turkiye.author).toBe("Aigerim Tazhi");
    expect(turkiye.language).toBe("en");
    expect(turkiye.enclosures).toEqual([
      { href: "https://cdn.example.org/foto/koridor.png", type: "image/png", length: "48213" },
    ]);
    expect(beras.summary).toBe("Bulog: stok 1,2 juta ton & harga <stabil>.");
    expect(beras.author).toBe("Siti Rahma");
    // No length known: no enclosure (RSS 2.0 requires its length, and 0 would be false); the
    // image is still there, as Media RSS.
    expect(beras.enclosures).toEqual([]);
    expect(beras.media).toEqual([
      { url: "https://cdn.example.org/foto/beras.JPG", type: "image/jpeg", medium: "image" },
    ]);
    expect(turkiye.media).toEqual([
      {
        url: "https://cdn.example.org/foto/koridor.png",
        type: "image/png",
        medium: "image",
        filesize: "48213",
      },
    ]);
  });

  it('RSS carries atom:link rel=self, RFC 822 dates and no enclosure without a length (nor length="0")', () => {
    const xml = body(renderSet(), "feeds/rss.xml");
    const rss = asRecord(parseXml(xml).rss);
    expect(rss["@_version"]).toBe("2.0");
    expect(rss["@_xmlns:atom"]).toBe("http://www.w3.org/2005/Atom");
    const channel = asRecord(rss.channel);
    expect(asList(channel["atom:link"])).toContainEqual({
      "@_href": "https://news.example.org/feeds/rss.xml",
      "@_rel": "self",
      "@_type": "application/rss+xml",
    });
    expect(channel.lastBuildDate).toBe("Wed, 06 Mar 2024 09:00:00 GMT");
    const items = asList(channel.item);
    expect(items.map((item) => item.pubDate)).toEqual([
      "Tue, 05 Mar 2024 08:15:00 GMT",
      "Mon, 04 Mar 2024 22:00:00 GMT",
      "Sun, 03 Mar 2024 10:00:00 GMT",
      "Sat, 02 Mar 2024 12:00:00 GMT",
    ]);
    const enclosures = items.flatMap((item) => asList(item.enclosure));
    expect(enclosures).toEqual([
      {
        "@_url": "https://cdn.example.org/foto/koridor.png",
        "@_type": "image/png",
        "@_length": "48213",
      },
    ]);
    expect(xml).not.toMatch(/length="0"/);
    expect(rss["@_xmlns:media"]).toBe("http://search.yahoo.com/mrss/");
    expect(items.flatMap((item) => asList(item["media:content"]))).toEqual([
      {
        "@_url": "https://cdn.example.org/foto/koridor.png",
        "@_type": "image/png",
        "@_medium": "image",
        "@_fileSize": "48213",
      },
      {
        "@_url": "https://cdn.example.org/foto/beras.JPG",
        "@_type": "image/jpeg",
        "@_medium": "image",
      },
    ]);
    expect(asRecord(at(items, 0).guid)["@_isPermaLink"]).toBe("false");
  });

  it("Atom 1.0 reads back in feedparser with ids, links, dates, language and the self link", () => {
    const feed = readFeed(body(renderSet(), "feeds/atom.xml"));
    expect(feed.version).toBe("atom10");
    expect(feed.feed.title).toBe("Warta Nusantara");
    expect(feed.feed.language).toBe("id");
    expect(feed.feed.id).toBe("https://news.example.org/feeds/atom.xml");
    expect(feed.feed.updated).toBe("2024-03-06T09:00:00Z");
    expect(feed.feed.author).toBe("Redaksi Warta");
    expect(feed.feed.links).toContainEqual({
      rel: "self",
      href: "https://news.example.org/feeds/atom.xml",
      type: "application/atom+xml",
    });
    expect(feed.feed.links).toContainEqual({
      rel: "alternate",
      href: "https://news.example.org/",
      type: "text/html",
    });
    expect(feed.entries.map((e) => [e.id, e.title, e.link, e.published, e.updated])).toEqual([
      [
        ID.turkiye,
        'Türkiye and Kazakhstan sign "Middle Corridor" deal ]]> analysis',
        "https://news.example.org/en/turkiye-kazakhstan",
        "2024-03-05T08:15:00Z",
        "2024-03-05T08:15:00Z",
      ],
      [
        ID.beras,
        'Harga beras naik 5% & stok "aman" <kata Bulog>',
        "https://news.example.org/ekonomi/harga-beras?utm=rss&ref=warta",
        "2024-03-04T22:00:00Z",
        "2024-03-05T03:30:00Z",
      ],
      [
        ID.banjir,
        "Banjir di Jakarta: 3.000 warga mengungsi",
        "https://news.example.org/nasional/banjir-jakarta",
        "2024-03-03T10:00:00Z",
        "2024-03-06T09:00:00Z",
      ],
      [
        ID.pemiluA,
        "Hasil hitung cepat: KPU & Bawaslu",
        "https://news.example.org/nasional/pemilu-a",
        "2024-03-02T12:00:00Z",
        "2024-03-02T12:00:00Z",
      ],
    ]);
    const [turkiye, beras] = [at(feed.entries, 0), at(feed.entries, 1)];
    expect(turkiye.language).toBe("en");
    expect(beras.language).toBe("id");
    expect(beras.summary).toBe("Bulog: stok 1,2 juta ton & harga <stabil>.");
    expect(beras.content).toEqual(["<p>Harga beras &amp; gula naik di <b>Jakarta</b>.</p>"]);
    expect(turkiye.content).toEqual([
      "<p>Astana — Türkiye &amp; Kazakhstan… <code>a[i[j]]>b</code> ]]></p>",
    ]);
    expect(turkiye.tags).toEqual([
      { term: "dunia", label: "Dunia <Internasional>" },
      { term: "ekonomi", label: "Ekonomi & Bisnis" },
    ]);
    expect(turkiye.enclosures).toEqual([
      { href: "https://cdn.example.org/foto/koridor.png", type: "image/png", length: "48213" },
    ]);
    expect(beras.enclosures).toEqual([
      { href: "https://cdn.example.org/foto/beras.JPG", type: "image/jpeg", length: null },
    ]);
  });

  it("Atom has rel=self, RFC 3339 dates and enclosures with a real MIME type", () => {
    const xml = body(renderSet(), "feeds/atom.xml");
    const feed = asRecord(parseXml(xml).feed);
    expect(feed["@_xml:lang"]).toBe("id");
    expect(asList(feed.link)).toContainEqual({
      "@_rel": "self",
      "@_href": "https://news.example.org/feeds/atom.xml",
    });
    const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
    expect(feed.updated).toMatch(rfc3339);
    const entries = asList(feed.entry);
    for (const entry of entries) {
      expect(entry.updated).toMatch(rfc3339);
      expect(entry.published).toMatch(rfc3339);
    }
    const enclosures = entries
      .flatMap((e) => asList(e.link))
      .filter((l) => l["@_rel"] === "enclosure");
    expect(enclosures).toEqual([
      {
        "@_rel": "enclosure",
        "@_href": "https://cdn.example.org/foto/koridor.png",
        "@_type": "image/png",
        "@_length": "48213",
      },
      {
        "@_rel": "enclosure",
        "@_href": "https://cdn.example.org/foto/beras.JPG",
        "@_type": "image/jpeg",
        "@_title": "Karung beras",
      },
    ]);
    // The English article says so; the others inherit the feed's language.
    expect(entries.map((e) => e["@_xml:lang"])).toEqual(["en", undefined, undefined, undefined]);
  });

  it("JSON Feed is version 1.1 with language, feed_url, authors and every item", () => {
    const json = JSON.parse(body(renderSet(), "feeds/feed.json")) as JsonFeed;
    expect(json.version).toBe("https://jsonfeed.org/version/1.1");
    expect(json.title).toBe("Warta Nusantara");
    expect(json.language).toBe("id");
    expect(json.home_page_url).toBe("https://news.example.org/");
    expect(json.feed_url).toBe("https://news.example.org/feeds/feed.json");
    expect(json.authors).toEqual([{ name: "Redaksi Warta" }]);
    expect("author" in json).toBe(false);
    expect(json.items.map((i) => i.id)).toEqual([ID.turkiye, ID.beras, ID.banjir, ID.pemiluA]);
    const [turkiye, beras] = [at(json.items, 0), at(json.items, 1)];
    expect(turkiye).toEqual({
      id: ID.turkiye,
      url: "https://news.example.org/en/turkiye-kazakhstan",
      title: 'Türkiye and Kazakhstan sign "Middle Corridor" deal ]]> analysis',
      content_html: "<p>Astana — Türkiye &amp; Kazakhstan… <code>a[i[j]]>b</code> ]]></p>",
      summary: "Ankara & Astana agree on rail <and> ports.",
      image: "https://cdn.example.org/foto/koridor.png",
      date_published: "2024-03-05T08:15:00.000Z",
      date_modified: "2024-03-05T08:15:00.000Z",
      authors: [{ name: "Aigerim Tazhi" }],
      tags: ["Dunia <Internasional>", "Ekonomi & Bisnis"],
      language: "en",
    });
    expect(beras.date_published).toBe("2024-03-04T22:00:00.000Z");
    expect(beras.date_modified).toBe("2024-03-05T03:30:00.000Z");
    expect(beras.language).toBe("id");
    for (const item of json.items) expect("author" in item).toBe(false);
  });

  it("gives the same article the same id in RSS, Atom and JSON Feed, even with odd characters", () => {
    const files = renderSet(makeArticles(), { items: 10 });
    const rssIds = readFeed(body(files, "feeds/rss.xml")).entries.map((e) => e.id);
    const atomIds = readFeed(body(files, "feeds/atom.xml")).entries.map((e) => e.id);
    const jsonIds = (JSON.parse(body(files, "feeds/feed.json")) as JsonFeed).items.map((i) => i.id);
    const expected = [ID.turkiye, ID.beras, ID.banjir, ID.pemiluA, ID.pemiluB, ID.arsip];
    expect(rssIds).toEqual(expected);
    expect(atomIds).toEqual(expected);
    expect(jsonIds).toEqual(expected);
  });

  it("renders byte-identical files twice, from a shuffled list and at another time", () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2031-07-01T12:00:00Z"));
    const first = renderSet();
    vi.setSystemTime(new Date("2032-11-15T00:00:00Z"));
    const second = renderSet();
    const shuffled = makeArticles();
    // A fixed permutation that breaks both the publication order and the tie of D and E.
    const order = [4, 2, 0, 5, 3, 1];
    const third = renderSet(order.map((i) => at(shuffled, i)));
    expect(second).toEqual(first);
    expect(third).toEqual(first);
    for (const file of first) expect(file.body).not.toMatch(/203[12]/);
  });

  it("keeps an article's guid when its title and URL are edited", () => {
    const before = makeArticles();
    const after = makeArticles().map((article) =>
      article.id === "beras-2024"
        ? {
            ...article,
            title: "Harga beras turun lagi",
            url: "https://news.example.org/ekonomi/harga-beras-turun",
            updated: new Date("2024-03-05T07:00:00Z"),
          }
        : article,
    );
    const entryOf = (articles: Article[]) => {
      const feed = readFeed(body(renderSet(articles), "feeds/rss.xml"));
      const entry = feed.entries.find((e) => e.id === ID.beras);
      if (!entry) throw new Error("beras-2024 is missing");
      return entry;
    };
    const [old, edited] = [entryOf(before), entryOf(after)];
    expect(edited.title).toBe("Harga beras turun lagi");
    expect(edited.link).toBe("https://news.example.org/ekonomi/harga-beras-turun");
    expect(edited.id).toBe(old.id);
    expect(edited.id).toBe(ID.beras);
  });

  it("puts into each category feed only that category's articles, newest first", () => {
    const files = renderSet();
    const ids = (slug: string) =>
      readFeed(body(files, `feeds/category/${slug}/atom.xml`)).entries.map((e) => e.id);
    expect(ids("ekonomi")).toEqual([ID.turkiye, ID.beras, ID.arsip]);
    expect(ids("dunia")).toEqual([ID.turkiye]);
    expect(ids("nasional")).toEqual([ID.banjir, ID.pemiluA, ID.pemiluB]);

    const ekonomi = readFeed(body(files, "feeds/category/ekonomi/rss.xml"));
    expect(ekonomi.feed.title).toBe("Warta Nusantara: Ekonomi & Bisnis");
    expect(ekonomi.entries.map((e) => e.id)).toEqual([ID.turkiye, ID.beras, ID.arsip]);
    expect(ekonomi.feed.links).toContainEqual({
      rel: "self",
      href: "https://news.example.org/feeds/category/ekonomi/rss.xml",
      type: "application/rss+xml",
    });
    // turkiye-kazakhstan is the newest edit in this category (5 March, 08:15).
    expect(ekonomi.feed.updated).toBe("2024-03-05T08:15:00Z");

    const json = JSON.parse(body(files, "feeds/category/dunia/feed.json")) as JsonFeed;
    expect(json.title).toBe("Warta Nusantara: Dunia <Internasional>");
    expect(json.feed_url).toBe("https://news.example.org/feeds/category/dunia/feed.json");
    expect(json.items.map((i) => i.id)).toEqual([ID.turkiye]);
  });

  it("limits every feed to feeds.items articles, breaking ties in publication time by id", () => {
    const files = renderSet(makeArticles(), { items: 2 });
    const ids = (path: string) => readFeed(body(files, path)).entries.map((e) => e.id);
    expect(ids("feeds/rss.xml")).toEqual([ID.turkiye, ID.beras]);
    expect(ids("feeds/category/ekonomi/rss.xml")).toEqual([ID.turkiye, ID.beras]);
    // pemilu-a and pemilu-b share a publication time: "pemilu-a" < "pemilu-b".
    expect(ids("feeds/category/nasional/atom.xml")).toEqual([ID.banjir, ID.pemiluA]);
    const json = JSON.parse(body(files, "feeds/category/nasional/feed.json")) as JsonFeed;
    expect(json.items.map((i) => i.id)).toEqual([ID.banjir, ID.pemiluA]);
  });

  it("writes a valid empty feed when given no articles, dated by the spec, not the clock", () => {
    const spec = {
      dir: "feeds/category/olahraga",
      title: "Warta Nusantara: Olahraga",
      description: "Olahraga",
      homePage: "https://news.example.org/",
      emptyUpdated: new Date("2024-03-06T09:00:00Z"),
    };
    const { rss, atom, json } = renderFeed(spec, [], makeSite());
    for (const xml of [rss, atom]) {
      const feed = readFeed(xml);
      expect(feed.entries).toEqual([]);
      expect(feed.feed.title).toBe("Warta Nusantara: Olahraga");
      expect(feed.feed.updated).toBe("2024-03-06T09:00:00Z");
    }
    expect(checkRss(rss, "https://news.example.org/feeds/category/olahraga/rss.xml")).toEqual([]);
    expect(checkAtom(atom, "https://news.example.org/feeds/category/olahraga/atom.xml")).toEqual(
      [],
    );
    expect((JSON.parse(json) as JsonFeed).items).toEqual([]);
  });

  it("writes no feed for a category none of the articles is in", () => {
    const paths = renderSet().map((f) => f.path);
    expect(paths.some((p) => p.includes("/olahraga/"))).toBe(false);
  });

  it("passes the W3C-style checks in every RSS, Atom and JSON document", () => {
    const files = renderSet(makeArticles(), { items: 10 });
    for (const file of files) {
      const url = `https://news.example.org/${file.path}`;
      if (file.path.endsWith("rss.xml")) expect(checkRss(file.body, url), file.path).toEqual([]);
      if (file.path.endsWith("atom.xml")) expect(checkAtom(file.body, url), file.path).toEqual([]);
      if (file.path.endsWith(".json")) expect(checkJsonFeed(file.body, url), file.path).toEqual([]);
    }
  });

  it("resolves self links below a base URL with a path", () => {
    const site = makeSite({ base_url: "https://example.org/warta" });
    const files = renderSet(makeArticles(), {}, site);
    const rss = readFeed(body(files, "feeds/rss.xml"));
    expect(rss.feed.links).toContainEqual({
      rel: "self",
      href: "https://example.org/warta/feeds/rss.xml",
      type: "application/rss+xml",
    });
    const atom = readFeed(body(files, "feeds/category/nasional/atom.xml"));
    expect(atom.feed.id).toBe("https://example.org/warta/feeds/category/nasional/atom.xml");
    expect(atom.entries.map((e) => e.id)).toEqual([
      "tag:example.org,2024-03-03:banjir-jakarta",
      "tag:example.org,2024-03-02:pemilu-a",
      "tag:example.org,2024-03-02:pemilu-b",
    ]);
  });
});

describe("renderFeed", () => {
  const spec = {
    dir: "feeds",
    title: "Warta <Uji> & Co",
    description: "Uji karakter",
    homePage: "https://news.example.org/",
  };

  it('strips control characters and keeps &, <, quotes and "&amp;" as written', () => {
    const article = makeArticle({
      id: "kontrol",
      title: 'Bel\u0007 berbunyi\u001b[0m & <tab>\tdi "Türkiye"',
      url: "https://news.example.org/kontrol",
      summary: "Ringkasan\u0000 & kode &amp; asli",
      contentHtml: "<p>Isi\u000b artikel</p>",
      author: "Tim &amp; Redaksi\u0008",
      categories: [{ slug: "uji-coba", name: 'Uji <coba> & "kutip"' }],
      published: "2024-01-10T06:00:00Z",
      firstSeen: "2024-01-10T06:00:00Z",
    });
    const { rss, atom, json } = renderFeed(spec, [article], makeSite());
    // biome-ignore lint/suspicious/noControlCharactersInRegex: checking they are gone
    const controls = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/;
    for (const document of [rss, atom, json]) expect(document).not.toMatch(controls);

    const title = 'Bel berbunyi[0m & <tab>\tdi "Türkiye"';
    for (const xml of [rss, atom]) {
      const feed = readFeed(xml);
      expect(feed.feed.title).toBe("Warta <Uji> & Co");
      const entry = at(feed.entries, 0);
      expect(entry.title).toBe(title);
      expect(entry.summary).toBe("Ringkasan & kode &amp; asli");
      expect(entry.content).toEqual(["<p>Isi artikel</p>"]);
      expect(entry.author).toBe("Tim &amp; Redaksi");
    }
    const atomEntry = at(readFeed(atom).entries, 0);
    expect(atomEntry.tags).toEqual([{ term: "uji-coba", label: 'Uji <coba> & "kutip"' }]);
    const rssEntry = at(readFeed(rss).entries, 0);
    expect(rssEntry.tags.map((t) => t.term)).toEqual(['Uji <coba> & "kutip"']);
    const item = at((JSON.parse(json) as JsonFeed).items, 0);
    expect(item.title).toBe(title);
    expect(item.authors).toEqual([{ name: "Tim &amp; Redaksi" }]);
  });

  it("declares the Dublin Core namespace for dc:creator when no item has content", () => {
    const article = makeArticle({
      id: "tanpa-isi",
      title: "Tanpa isi",
      url: "https://news.example.org/tanpa-isi",
      summary: "Hanya ringkasan.",
      contentHtml: "",
      contentText: "",
      author: "Budi",
      categories: [],
      published: "2024-01-10T06:00:00Z",
      firstSeen: "2024-01-10T06:00:00Z",
    });
    const { rss, json } = renderFeed(spec, [article], makeSite());
    const rssRoot = asRecord(parseXml(rss).rss);
    expect(rssRoot["@_xmlns:dc"]).toBe("http://purl.org/dc/elements/1.1/");
    expect(at(readFeed(rss).entries, 0).author).toBe("Budi");
    // Without HTML content, JSON Feed carries the text rather than passing text off as HTML.
    const item = at((JSON.parse(json) as JsonFeed).items, 0);
    expect(item.content_html).toBeUndefined();
    expect(item.content_text).toBe("Hanya ringkasan.");
  });

  it("rejects an article whose URL is not absolute, with code PUBLISH_RENDER", () => {
    const article = makeArticle({
      id: "relatif",
      title: "Relatif",
      url: "/relatif",
      categories: [],
      published: "2024-01-10T06:00:00Z",
      firstSeen: "2024-01-10T06:00:00Z",
    });
    let caught: unknown;
    try {
      renderFeed(spec, [article], makeSite());
    } catch (error) {
      caught = error;
    }
    expect(isAppError(caught, "PUBLISH_RENDER")).toBe(true);
  });
});

describe("feedparser helper", () => {
  it("fails, naming python3-feedparser, when /usr/bin/python3 cannot import feedparser", () => {
    // -S skips the site module, which is what adds Debian's dist-packages to the path.
    expect(() => parseWithFeedparser("<rss/>", ["-S"])).toThrow(/python3-feedparser/);
  });
});
