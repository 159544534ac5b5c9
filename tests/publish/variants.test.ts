import { describe, expect, it } from "vitest";
import type { FeedsConfig, SiteConfig } from "../../src/config/schema.js";
import type { Article } from "../../src/domain/article.js";
import type { Edition } from "../../src/domain/digest.js";
import { type FeedFile, renderFeedSet } from "../../src/publish/index.js";
import { type ParsedFeed, parseAllWithFeedparser, parseXml } from "./readers.js";
import { checkAtom, checkJsonFeed, checkRss } from "./validity.js";

const SITE: SiteConfig = {
  title: "Warta Uji",
  description: "Berita uji",
  base_url: "https://news.example.org/",
  language: "id",
  timezone: "Asia/Jakarta",
};

function makeFeeds(overrides: Partial<FeedsConfig> = {}): FeedsConfig {
  return {
    items: 10,
    per_category: true,
    per_author: true,
    summary_variants: true,
    archives: true,
    editions: true,
    ...overrides,
  };
}

function article(id: string, published: string, fields: Partial<Article> = {}): Article {
  return {
    id,
    sourceId: "s",
    sourceKey: `${id}.md`,
    url: `https://news.example.org/artikel/${id}/`,
    title: `Judul ${id}`,
    summary: `Ringkasan ${id}.`,
    contentHtml: `<p>Isi lengkap ${id}.</p>`,
    contentText: `Isi lengkap ${id}.`,
    categories: [{ slug: "ekonomi", name: "Ekonomi" }],
    tags: [],
    language: "id",
    published: new Date(published),
    updated: new Date(published),
    contentHash: `h-${id}`,
    firstSeen: new Date(published),
    author: "Siti Rahma",
    ...fields,
  };
}

function makeArticles(): Article[] {
  return [
    article("a1", "2024-03-05T08:00:00Z"),
    article("a2", "2024-03-04T08:00:00Z", {
      summary: "",
      contentHtml: "<p>Paragraf pertama yang panjang.</p><p>Kedua.</p>",
      contentText: "Paragraf pertama yang panjang.\nKedua.",
      author: "Budi",
    }),
    article("a3", "2024-02-01T08:00:00Z", { categories: [{ slug: "dunia", name: "Dunia" }] }),
  ];
}

function makeEditions(): Edition[] {
  return [1, 2].map((id) => ({
    id,
    created: new Date(`2024-03-0${id}T23:00:00Z`),
    subject: `Warta Uji: edisi ${id} & <kabar>`,
    html: `<!doctype html><html><body><p>Edisi ${id}</p></body></html>`,
    text: `Edisi ${id}\n\nHarga beras naik.\nStok aman.`,
    periodStart: null,
    periodEnd: new Date(`2024-03-0${id}T23:00:00Z`),
    articleIds: ["a1"],
  }));
}

function render(feeds = makeFeeds(), editions = makeEditions()): Map<string, FeedFile> {
  const files = renderFeedSet({ site: SITE, feeds, articles: makeArticles(), editions });
  return new Map(files.map((file) => [file.path, file]));
}

function bodyOf(files: Map<string, FeedFile>, path: string): string {
  const file = files.get(path);
  if (!file) throw new Error(`no ${path} among ${[...files.keys()].join(", ")}`);
  return file.body;
}

function readAll(files: Map<string, FeedFile>, paths: string[]): Map<string, ParsedFeed> {
  const parsed = parseAllWithFeedparser(paths.map((path) => bodyOf(files, path)));
  return new Map(
    paths.map((path, index) => {
      const feed = parsed[index];
      if (!feed) throw new Error(`feedparser returned nothing for ${path}`);
      expect(feed.bozoException, `${path}: feedparser bozo_exception`).toBeNull();
      return [path, feed];
    }),
  );
}

const xmlPaths = (files: Map<string, FeedFile>) =>
  [...files.keys()].filter((path) => path.startsWith("feeds/") && path.endsWith(".xml"));

describe("summary variants", () => {
  it("carry the summary but no content, in RSS, Atom and JSON Feed", () => {
    const files = render();
    const parsed = readAll(files, ["feeds/summary/rss.xml", "feeds/summary/atom.xml"]);
    for (const feed of parsed.values()) {
      expect(feed.feed.title).toBe("Warta Uji (ringkasan)");
      expect(feed.entries.map((e) => [e.title, e.summary, e.content])).toEqual([
        ["Judul a1", "Ringkasan a1.", []],
        // No summary stored: the start of the text stands in.
        ["Judul a2", "Paragraf pertama yang panjang. Kedua.", []],
        ["Judul a3", "Ringkasan a3.", []],
      ]);
    }
    const rss = bodyOf(files, "feeds/summary/rss.xml");
    expect(rss).not.toContain("content:encoded");
    expect(bodyOf(files, "feeds/summary/atom.xml")).not.toContain("<content");
    const json = JSON.parse(bodyOf(files, "feeds/summary/feed.json")) as {
      items: Record<string, unknown>[];
    };
    expect(json.items.map((i) => [i.content_html, i.content_text, i.summary])).toEqual([
      [undefined, "Ringkasan a1.", "Ringkasan a1."],
      [undefined, "Paragraf pertama yang panjang. Kedua.", "Paragraf pertama yang panjang. Kedua."],
      [undefined, "Ringkasan a3.", "Ringkasan a3."],
    ]);
    // The full-text feed has the content.
    const full = readAll(files, ["feeds/atom.xml"]).get("feeds/atom.xml");
    expect(full?.entries[0]?.content).toEqual(["<p>Isi lengkap a1.</p>"]);
  });

  it("keep the ids of the full-text feed", () => {
    const files = render();
    const parsed = readAll(files, ["feeds/rss.xml", "feeds/summary/rss.xml"]);
    const ids = [...parsed.values()].map((feed) => feed.entries.map((e) => e.id));
    expect(ids[0]).toEqual([
      "tag:news.example.org,2024-03-05:a1",
      "tag:news.example.org,2024-03-04:a2",
      "tag:news.example.org,2024-02-01:a3",
    ]);
    expect(ids[1]).toEqual(ids[0]);
  });
});

describe("a WebSub hub", () => {
  const HUB = "https://hub.example.org/websub?site=warta&v=1";

  it("is announced beside the self link in every RSS and Atom feed, and as hubs in JSON Feed", () => {
    const files = render(makeFeeds({ websub_hub: HUB }));
    const subscriptions = xmlPaths(files).filter((path) => !path.startsWith("feeds/archive/"));
    expect(subscriptions.length).toBeGreaterThanOrEqual(13);
    const parsed = readAll(files, subscriptions);
    for (const [path, feed] of parsed) {
      const url = `https://news.example.org/${path}`;
      const rels = feed.feed.links.map((link) => [link.rel, link.href]);
      expect(rels, path).toContainEqual(["self", url]);
      expect(rels, path).toContainEqual(["hub", HUB]);
      expect(
        rels.filter(([rel]) => rel === "self"),
        path,
      ).toHaveLength(1);
    }
    for (const path of [...files.keys()].filter((p) => p.endsWith("feed.json"))) {
      const json = JSON.parse(bodyOf(files, path)) as { hubs?: unknown; feed_url?: string };
      expect(json.hubs, path).toEqual([{ type: "WebSub", url: HUB }]);
      expect(json.feed_url).toBe(`https://news.example.org/${path}`);
    }
    // Escaped once in the XML.
    expect(bodyOf(files, "feeds/atom.xml")).toContain(
      '<link rel="hub" href="https://hub.example.org/websub?site=warta&amp;v=1"/>',
    );
  });

  it("leaves no hub link when none is configured", () => {
    const files = render();
    for (const path of xmlPaths(files)) expect(bodyOf(files, path)).not.toContain('"hub"');
  });
});

describe("the editions feed", () => {
  it("lists the editions newest first, titled by subject, linking to their web versions", () => {
    const files = render();
    const parsed = readAll(files, ["feeds/editions/rss.xml", "feeds/editions/atom.xml"]);
    for (const feed of parsed.values()) {
      expect(feed.feed.title).toBe("Warta Uji: edisi buletin");
      expect(feed.entries.map((e) => [e.id, e.title, e.link, e.published])).toEqual([
        [
          "tag:news.example.org,2024-03-02:newsletter-2",
          "Warta Uji: edisi 2 & <kabar>",
          "https://news.example.org/newsletter/2/",
          "2024-03-02T23:00:00Z",
        ],
        [
          "tag:news.example.org,2024-03-01:newsletter-1",
          "Warta Uji: edisi 1 & <kabar>",
          "https://news.example.org/newsletter/1/",
          "2024-03-01T23:00:00Z",
        ],
      ]);
      expect(feed.entries[0]?.content).toEqual([
        // feedparser writes the sanitised HTML back in XHTML style.
        "<p>Edisi 2</p>\n<p>Harga beras naik.<br />Stok aman.</p>",
      ]);
    }
    expect(bodyOf(files, "newsletter/2/index.html")).toContain("<p>Edisi 2</p>");
    expect(files.get("newsletter/2/index.html")?.contentType).toBe("text/html; charset=utf-8");
  });
});

describe("every document of the publication", () => {
  it("passes the W3C-style checks", () => {
    const files = render(makeFeeds({ websub_hub: "https://hub.example.org/" }));
    let checked = 0;
    for (const [path, file] of files) {
      const url = `https://news.example.org/${path}`;
      let problems: string[] | undefined;
      if (file.contentType.startsWith("application/rss+xml")) problems = checkRss(file.body, url);
      if (file.contentType.startsWith("application/atom+xml")) problems = checkAtom(file.body, url);
      if (file.contentType.startsWith("application/feed+json")) {
        problems = checkJsonFeed(file.body, url);
      }
      if (problems === undefined) continue;
      checked += 1;
      expect(problems, path).toEqual([]);
    }
    // Site, 2 categories, 2 authors (each 6), editions (3), 2 months of archives (2 each).
    expect(checked).toBe(5 * 6 + 3 + 2 * 2);
  });

  it("marks archive pages with fh:archive and their RFC 5005 links, in RSS and Atom", () => {
    const files = render();
    const atom = asRecord(parseXml(bodyOf(files, "feeds/archive/2024-02.xml")).feed);
    expect(atom["@_xmlns:fh"]).toBe("http://purl.org/syndication/history/1.0");
    expect(atom["fh:archive"]).toBe("");
    expect(atom.id).toBe("https://news.example.org/feeds/atom.xml");
    const links = (atom.link as Record<string, string>[]).map((l) => [l["@_rel"], l["@_href"]]);
    expect(links).toContainEqual(["current", "https://news.example.org/feeds/atom.xml"]);
    expect(links).toContainEqual([
      "next-archive",
      "https://news.example.org/feeds/archive/2024-03.xml",
    ]);
    expect(links.some(([rel]) => rel === "prev-archive")).toBe(false);
    const rss = asRecord(
      asRecord(parseXml(bodyOf(files, "feeds/archive/rss/2024-03.xml")).rss).channel,
    );
    expect(rss["fh:archive"]).toBe("");
    const rssLinks = (rss["atom:link"] as Record<string, string>[]).map((l) => [
      l["@_rel"],
      l["@_href"],
    ]);
    expect(rssLinks).toEqual([
      ["self", "https://news.example.org/feeds/archive/rss/2024-03.xml"],
      ["current", "https://news.example.org/feeds/rss.xml"],
      ["prev-archive", "https://news.example.org/feeds/archive/rss/2024-02.xml"],
    ]);
  });
});

function asRecord(value: unknown): Record<string, unknown> {
  if (typeof value !== "object" || value === null) throw new Error(`not an object: ${value}`);
  return value as Record<string, unknown>;
}
