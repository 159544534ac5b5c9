import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { load } from "cheerio";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FeedsConfig, SiteConfig } from "../../src/config/schema.js";
import type { ArticleInput } from "../../src/domain/index.js";
import { articleInput, openPublishStore, type PublishStore } from "../helpers/publish-store.js";
import { type ParsedFeed, parseAllWithFeedparser, parseXml } from "../publish/readers.js";
import { checkAtom, checkJsonFeed, checkRss, validateAtomWithJing } from "../publish/validity.js";

// ---------------------------------------------------------------------------------------------
// A small newsroom, with what each article must end up in written next to it: the expected
// archive month is the month of its publication in Jakarta (the site's time zone).

const BASE = "https://news.example.org/";
const HUB = "https://hub.example.org/";

const SITE: SiteConfig = {
  title: "Warta Uji",
  description: "Berita uji & percobaan",
  base_url: BASE,
  language: "id",
  timezone: "Asia/Jakarta",
  author: "Redaksi Warta",
};

const FEEDS: FeedsConfig = {
  items: 3,
  per_category: true,
  per_author: true,
  summary_variants: true,
  archives: true,
  editions: true,
  websub_hub: HUB,
};

const EKONOMI = { slug: "ekonomi", name: "Ekonomi & Bisnis" };
const DUNIA = { slug: "dunia", name: "Dunia" };
const NASIONAL = { slug: "nasional", name: "Nasional" };

interface Fixture {
  input: ArticleInput;
  /** When the store first saw it: the date in its tag URI. */
  seen: string;
  month: string;
  authorSlug?: string;
}

function makeFixtures(): Fixture[] {
  const siti = { author: "Siti Rahma" };
  const aigerim = { author: "Aigerim Tazhi" };
  const budi = { author: "Budi" };
  return [
    {
      input: articleInput("beras", "2024-03-05T01:00:00Z", {
        ...siti,
        title: 'Harga beras naik 5% & stok "aman" <kata Bulog>',
        summary: "Bulog: stok & harga <stabil>.",
        contentHtml: "<p>Harga beras &amp; gula naik.</p>",
        categories: [EKONOMI],
        image: { url: "https://cdn.example.org/foto/beras.jpg", alt: "Karung beras" },
      }),
      seen: "2024-03-05T02:00:00Z",
      month: "2024-03",
      authorSlug: "siti-rahma",
    },
    {
      input: articleInput("koridor", "2024-03-04T08:15:00Z", {
        ...aigerim,
        title: "Türkiye and Kazakhstan sign a corridor deal",
        language: "en",
        categories: [DUNIA, EKONOMI],
        image: {
          url: "https://cdn.example.org/foto/koridor.png",
          type: "image/png",
          length: 48213,
        },
      }),
      seen: "2024-03-04T09:00:00Z",
      month: "2024-03",
      authorSlug: "aigerim-tazhi",
    },
    {
      // 1 March 01:30 in Jakarta, 29 February in UTC.
      input: articleInput("banjir", "2024-02-29T18:30:00Z", { ...budi, categories: [NASIONAL] }),
      seen: "2024-02-29T19:00:00Z",
      month: "2024-03",
      authorSlug: "budi",
    },
    {
      input: articleInput("pemilu-a", "2024-02-20T12:00:00Z", { ...budi, categories: [NASIONAL] }),
      seen: "2024-02-20T12:30:00Z",
      month: "2024-02",
      authorSlug: "budi",
    },
    {
      input: articleInput("pemilu-b", "2024-02-20T12:00:00Z", { categories: [NASIONAL] }),
      seen: "2024-02-20T12:30:00Z",
      month: "2024-02",
    },
    {
      input: articleInput("inflasi", "2024-02-01T00:00:00Z", { ...siti, categories: [EKONOMI] }),
      seen: "2024-02-01T01:00:00Z",
      month: "2024-02",
      authorSlug: "siti-rahma",
    },
    {
      // 1 February 03:00 in Jakarta.
      input: articleInput("kilas", "2024-01-31T20:00:00Z", { ...aigerim, categories: [DUNIA] }),
      seen: "2024-01-31T21:00:00Z",
      month: "2024-02",
      authorSlug: "aigerim-tazhi",
    },
    {
      input: articleInput("arsip", "2024-01-15T00:00:00Z", { ...siti, categories: [EKONOMI] }),
      seen: "2024-01-15T01:00:00Z",
      month: "2024-01",
      authorSlug: "siti-rahma",
    },
  ];
}

const tagId = (fixture: Fixture) =>
  `tag:news.example.org,${fixture.seen.slice(0, 10)}:${fixture.input.id}`;

/** Newest first by publication time, then by id. */
function newestFirst(fixtures: Fixture[]): Fixture[] {
  return [...fixtures].sort(
    (a, b) =>
      b.input.published.getTime() - a.input.published.getTime() ||
      (a.input.id < b.input.id ? -1 : 1),
  );
}

/** The feed folders the fixture calls for, with the articles each must carry. */
function expectedFeeds(fixtures: Fixture[]): Map<string, Fixture[]> {
  const scopes = new Map<string, Fixture[]>([["feeds", fixtures]]);
  for (const fixture of fixtures) {
    for (const category of fixture.input.categories) {
      const dir = `feeds/category/${category.slug}`;
      scopes.set(dir, [...(scopes.get(dir) ?? []), fixture]);
    }
    if (fixture.authorSlug) {
      const dir = `feeds/author/${fixture.authorSlug}`;
      scopes.set(dir, [...(scopes.get(dir) ?? []), fixture]);
    }
  }
  return new Map([...scopes].map(([dir, list]) => [dir, newestFirst(list).slice(0, FEEDS.items)]));
}

function expectedArchives(fixtures: Fixture[]): Map<string, Fixture[]> {
  const months = new Map<string, Fixture[]>();
  for (const fixture of fixtures) {
    months.set(fixture.month, [...(months.get(fixture.month) ?? []), fixture]);
  }
  return new Map([...months].sort().map(([month, list]) => [month, newestFirst(list)]));
}

const FILES = ["rss.xml", "atom.xml", "feed.json"];

/** Every subscription document: each feed folder and its summary/ sibling, three formats each. */
function subscriptionDocuments(fixtures: Fixture[]): string[] {
  return [...expectedFeeds(fixtures).keys(), "feeds/editions"].flatMap((dir) => [
    ...FILES.map((file) => `${dir}/${file}`),
    ...(dir === "feeds/editions" ? [] : FILES.map((file) => `${dir}/summary/${file}`)),
  ]);
}

function archiveDocuments(fixtures: Fixture[]): string[] {
  return [...expectedArchives(fixtures).keys()].flatMap((month) => [
    `feeds/archive/${month}.xml`,
    `feeds/archive/rss/${month}.xml`,
  ]);
}

async function fillStore(store: PublishStore, fixtures: Fixture[]): Promise<void> {
  // Stored one by one, so that each gets the first-seen time of its fixture.
  for (const fixture of fixtures)
    await store.articles.upsert([fixture.input], new Date(fixture.seen));
  for (const id of [1, 2]) {
    const created = new Date(`2024-03-0${id}T23:00:00Z`);
    await store.editions.create(
      {
        subject: `Warta Uji: edisi ${id}`,
        html: `<!DOCTYPE html><html lang="id"><body><p>Edisi ${id}</p></body></html>`,
        text: `Edisi ${id}\n\nBerita pilihan.`,
        periodStart: null,
        periodEnd: created,
        articleIds: ["beras"],
        recipients: [],
      },
      created,
    );
  }
}

const readPublic = (store: PublishStore, relative: string) =>
  readFileSync(path.join(store.publicDir, relative), "utf8");

/** The public file a URL of the site points at. */
function fileOf(url: string): string {
  expect(url.startsWith(BASE), `${url} is not under ${BASE}`).toBe(true);
  return url.slice(BASE.length);
}

function parseAll(store: PublishStore, paths: string[]): Map<string, ParsedFeed> {
  const parsed = parseAllWithFeedparser(paths.map((p) => readPublic(store, p)));
  return new Map(paths.map((p, i) => [p, parsed[i] as ParsedFeed]));
}

function asRecord(value: unknown): Record<string, unknown> {
  if (typeof value !== "object" || value === null) throw new Error(`not an object: ${value}`);
  return value as Record<string, unknown>;
}

function asList(value: unknown): Record<string, unknown>[] {
  return (Array.isArray(value) ? value : value === undefined ? [] : [value]).map(asRecord);
}

// ---------------------------------------------------------------------------------------------

describe("publishing from a real store", () => {
  let store: PublishStore;
  let fixtures: Fixture[];
  beforeEach(async () => {
    store = await openPublishStore(SITE, FEEDS);
    fixtures = makeFixtures();
    await fillStore(store, fixtures);
  });
  afterEach(() => store.close());

  it("writes every feed, variant, archive page and edition page, and the OPML and index files", async () => {
    const summary = await store.publish();
    const expected = [
      ...subscriptionDocuments(fixtures),
      ...archiveDocuments(fixtures),
      "newsletter/1/index.html",
      "newsletter/2/index.html",
      "feeds.opml",
      "index.html",
    ].sort();
    expect([...summary.files].sort()).toEqual(expected);
    expect([...summary.written].sort()).toEqual(expected);
    expect(summary.articles).toBe(fixtures.length);
    for (const file of expected)
      expect(existsSync(path.join(store.publicDir, file)), file).toBe(true);
    expect(readPublic(store, "newsletter/2/index.html")).toContain("<p>Edisi 2</p>");
  });

  it("every RSS and Atom document reads back in feedparser, bozo 0, with the expected items", async () => {
    await store.publish();
    const feeds = expectedFeeds(fixtures);
    const xml = subscriptionDocuments(fixtures).filter(
      (p) => p.endsWith(".xml") && !p.startsWith("feeds/editions/"),
    );
    const parsed = parseAll(store, xml);
    for (const [file, feed] of parsed) {
      expect(feed.bozoException, `${file}: bozo_exception`).toBeNull();
      expect(feed.bozo, file).toBe(0);
      const dir = file.replace(/\/(summary\/)?(rss|atom)\.xml$/, "");
      const items = feeds.get(dir) ?? [];
      expect(
        feed.entries.map((e) => [e.id, e.title, e.link, e.published]),
        file,
      ).toEqual(
        items.map((f) => [
          tagId(f),
          f.input.title,
          f.input.url,
          f.input.published.toISOString().replace(".000Z", "Z"),
        ]),
      );
      expect(feed.feed.language, file).toBe("id");
      // Summaries carry no content, full text does.
      const summaryVariant = file.includes("/summary/");
      for (const entry of feed.entries) {
        expect(entry.content.length > 0, `${file} ${entry.id} content`).toBe(!summaryVariant);
        expect(entry.summary, `${file} ${entry.id} summary`).toBeTruthy();
      }
    }
    const json = subscriptionDocuments(fixtures).filter(
      (p) => p.endsWith(".json") && !p.startsWith("feeds/editions/"),
    );
    for (const file of json) {
      const dir = file.replace(/\/(summary\/)?feed\.json$/, "");
      const document = JSON.parse(readPublic(store, file)) as { items: { id: string }[] };
      expect(
        document.items.map((i) => i.id),
        file,
      ).toEqual((feeds.get(dir) ?? []).map(tagId));
    }
    const editions = parseAll(store, ["feeds/editions/rss.xml", "feeds/editions/atom.xml"]);
    for (const [file, feed] of editions) {
      expect(feed.bozo, file).toBe(0);
      expect(
        feed.entries.map((e) => [e.title, e.link]),
        file,
      ).toEqual([
        ["Warta Uji: edisi 2", `${BASE}newsletter/2/`],
        ["Warta Uji: edisi 1", `${BASE}newsletter/1/`],
      ]);
    }
  });

  it("every Atom document, subscription, archive and editions, is valid against RFC 4287 (jing)", async () => {
    await store.publish();
    const atom = [...subscriptionDocuments(fixtures), ...archiveDocuments(fixtures)].filter(
      (p) => p.endsWith("atom.xml") || /^feeds\/archive\/\d{4}-\d{2}\.xml$/.test(p),
    );
    expect(atom.length).toBe(7 * 2 + 1 + 3);
    validateAtomWithJing(atom.map((p) => path.join(store.publicDir, p)));
  });

  it("every document passes the W3C validator's checks that apply", async () => {
    const summary = await store.publish();
    for (const file of summary.files) {
      const url = `${BASE}${file}`;
      const text = readPublic(store, file);
      let problems: string[] | undefined;
      if (file.endsWith(".json")) problems = checkJsonFeed(text, url);
      else if (file.endsWith("rss.xml") || file.startsWith("feeds/archive/rss/")) {
        problems = checkRss(text, url);
      } else if (file.endsWith(".xml")) problems = checkAtom(text, url);
      if (problems) expect(problems, file).toEqual([]);
    }
  });

  it("gives every item a tag URI that is unique in its feed, with guid isPermaLink=false in RSS", async () => {
    await store.publish();
    const rss = asRecord(
      asRecord(parseXml(readPublic(store, "feeds/category/ekonomi/rss.xml")).rss).channel,
    );
    const guids = asList(rss.item).map((item) => asRecord(item.guid));
    expect(guids.map((g) => g["#text"])).toEqual(
      (expectedFeeds(fixtures).get("feeds/category/ekonomi") ?? []).map(tagId),
    );
    for (const guid of guids) expect(guid["@_isPermaLink"]).toBe("false");
  });

  it("carries rel=hub beside rel=self in every feed, and the lead image as an enclosure only with its size", async () => {
    await store.publish();
    const files = subscriptionDocuments(fixtures).filter((p) => p.endsWith(".xml"));
    for (const [file, feed] of parseAll(store, files)) {
      const links = feed.feed.links.map((l) => [l.rel, l.href]);
      expect(links, file).toContainEqual(["self", `${BASE}${file}`]);
      expect(links, file).toContainEqual(["hub", HUB]);
    }
    const json = JSON.parse(readPublic(store, "feeds/feed.json")) as { hubs: unknown };
    expect(json.hubs).toEqual([{ type: "WebSub", url: HUB }]);
    const rss = parseAll(store, ["feeds/rss.xml"]).get("feeds/rss.xml");
    const byId = new Map(rss?.entries.map((e) => [e.id, e]));
    const [beras, koridor] = [fixtures[0], fixtures[1]] as [Fixture, Fixture];
    expect(byId.get(tagId(koridor))?.enclosures).toEqual([
      { href: "https://cdn.example.org/foto/koridor.png", type: "image/png", length: "48213" },
    ]);
    expect(byId.get(tagId(beras))?.enclosures).toEqual([]);
    expect(byId.get(tagId(beras))?.media).toEqual([
      { url: "https://cdn.example.org/foto/beras.jpg", type: "image/jpeg", medium: "image" },
    ]);
  });

  it("lets an aggregator walk the RFC 5005 archives from the subscription feed and find every article once", async () => {
    await store.publish();
    const archives = expectedArchives(fixtures);
    for (const format of ["atom", "rss"] as const) {
      const subscription = format === "atom" ? "feeds/atom.xml" : "feeds/rss.xml";
      const linksOf = (file: string) => {
        const root = parseXml(readPublic(store, file));
        const container =
          format === "atom" ? asRecord(root.feed) : asRecord(asRecord(root.rss).channel);
        const links = asList(container[format === "atom" ? "link" : "atom:link"]);
        const href = (rel: string) =>
          links.filter((l) => l["@_rel"] === rel).map((l) => String(l["@_href"]));
        const entries = asList(container[format === "atom" ? "entry" : "item"]).map((e) =>
          format === "atom" ? String(e.id) : String(asRecord(e.guid)["#text"]),
        );
        return { href, entries, archive: "fh:archive" in container };
      };
      const start = linksOf(subscription);
      expect(start.archive).toBe(false);
      let next = start.href("prev-archive");
      let from = `${BASE}${subscription}`;
      const seen: string[] = [];
      const months: string[] = [];
      while (next.length > 0) {
        expect(next, `one prev-archive from ${from}`).toHaveLength(1);
        const url = next[0] as string;
        const page = linksOf(fileOf(url));
        expect(page.archive, `${url} is marked fh:archive`).toBe(true);
        expect(page.href("current"), url).toEqual([`${BASE}${subscription}`]);
        expect(page.href("self"), url).toEqual([url]);
        // The newest page has no next-archive; the others point back where the walk came from.
        expect(page.href("next-archive"), url).toEqual(months.length === 0 ? [] : [from]);
        months.push(fileOf(url).replace(/^.*\/(\d{4}-\d{2})\.xml$/, "$1"));
        seen.push(...page.entries);
        from = url;
        next = page.href("prev-archive");
      }
      expect(months, format).toEqual([...archives.keys()].reverse());
      expect(seen.length, `${format}: every article exactly once`).toBe(new Set(seen).size);
      expect([...seen].sort(), format).toEqual(fixtures.map(tagId).sort());
      for (const [month, list] of archives) {
        const file =
          format === "atom" ? `feeds/archive/${month}.xml` : `feeds/archive/rss/${month}.xml`;
        expect(linksOf(file).entries, file).toEqual(list.map(tagId));
      }
    }
  });

  it("lists every subscription feed in the OPML file, grouped by kind, each URL an existing file", async () => {
    await store.publish();
    const opml = asRecord(parseXml(readPublic(store, "feeds.opml")).opml);
    expect(opml["@_version"]).toBe("2.0");
    expect(asRecord(opml.head).title).toBe("Warta Uji: umpan berita");
    const groups = asList(asRecord(opml.body).outline);
    expect(groups.map((g) => g["@_text"])).toEqual([
      "Semua berita",
      "Per kategori",
      "Per penulis",
      "Buletin",
    ]);
    const leaves = groups.flatMap((group) => asList(group.outline));
    for (const leaf of leaves) {
      expect(leaf["@_type"]).toBe("rss");
      expect(String(leaf["@_text"]).length).toBeGreaterThan(0);
      expect(leaf["@_title"]).toBe(leaf["@_text"]);
      expect(leaf["@_htmlUrl"]).toBe(BASE);
      expect(existsSync(path.join(store.publicDir, fileOf(String(leaf["@_xmlUrl"]))))).toBe(true);
    }
    expect(leaves.map((leaf) => fileOf(String(leaf["@_xmlUrl"]))).sort()).toEqual(
      subscriptionDocuments(fixtures).sort(),
    );
    const ekonomi = leaves.find(
      (l) => l["@_xmlUrl"] === `${BASE}feeds/category/ekonomi/summary/atom.xml`,
    );
    expect(ekonomi?.["@_text"]).toBe("Warta Uji: Ekonomi & Bisnis (ringkasan) (Atom)");
  });

  it("writes an index page in the site's language, with autodiscovery links and a link to every feed", async () => {
    await store.publish();
    const $ = load(readPublic(store, "index.html"));
    expect($("html").attr("lang")).toBe("id");
    expect($("title").text()).toBe("Warta Uji: umpan berita");
    expect($("h1").length).toBe(1);
    const discovery = $('head link[rel="alternate"]')
      .toArray()
      .map((link) => [$(link).attr("type"), $(link).attr("href"), $(link).attr("title")]);
    expect(discovery.map(([type, href]) => [type, href])).toEqual([
      ["application/rss+xml", `${BASE}feeds/rss.xml`],
      ["application/atom+xml", `${BASE}feeds/atom.xml`],
      ["application/feed+json", `${BASE}feeds/feed.json`],
      ["application/rss+xml", `${BASE}feeds/summary/rss.xml`],
      ["application/atom+xml", `${BASE}feeds/summary/atom.xml`],
      ["application/feed+json", `${BASE}feeds/summary/feed.json`],
    ]);
    for (const [, href, title] of discovery) {
      expect(existsSync(path.join(store.publicDir, fileOf(String(href))))).toBe(true);
      expect(title).toBeTruthy();
    }
    const linked = new Set(
      $("main a")
        .toArray()
        .map((a) => fileOf(String($(a).attr("href")))),
    );
    for (const file of [...subscriptionDocuments(fixtures), ...archiveDocuments(fixtures)]) {
      expect(linked.has(file), file).toBe(true);
    }
    for (const file of linked)
      expect(existsSync(path.join(store.publicDir, file)), file).toBe(true);
    // Each link names its feed for a screen reader listing links out of context.
    const first = $('main a[href$="feeds/category/dunia/rss.xml"]').text();
    expect(first).toBe("RSS (Dunia)");
  });
});
