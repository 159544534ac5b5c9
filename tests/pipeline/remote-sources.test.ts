import { readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/config/index.js";
import { collectSources } from "../../src/pipeline/index.js";
import { silentLogger } from "../../src/shared/logger.js";
import { createFetcher } from "../../src/sources/index.js";
import { type Db, SqlArticleRepository, SqlSourceStateRepository } from "../../src/store/index.js";
import { startHttpServer, type TestHttpServer } from "../helpers/http-server.js";
import {
  createWorkspace,
  repoRoot,
  type Workspace,
  workspaceConfig,
} from "../helpers/workspace.js";

const corpus = path.resolve(repoRoot, "..", "shared", "corpus");
const indonesian = path.join(corpus, "extraction", "indonesian-news");
const expected = () =>
  JSON.parse(readFileSync(path.join(indonesian, "expected.json"), "utf8")) as Record<
    string,
    { title?: string; date?: number; content?: string; url?: string }
  >;

function rss(
  origin: string,
  items: { title: string; path: string; description: string; date: string }[],
) {
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Mitra</title><link>${origin}/</link><language>id</language>
${items
  .map(
    (
      i,
    ) => `<item><title>${i.title}</title><link>${origin}${i.path}</link><guid>${origin}${i.path}</guid>
<pubDate>${i.date}</pubDate><description><![CDATA[${i.description}]]></description></item>`,
  )
  .join("\n")}
</channel></rss>`;
}

describe("remote sources", () => {
  let ws: Workspace;
  let db: Db;
  let server: TestHttpServer;
  let articles: SqlArticleRepository;
  let states: SqlSourceStateRepository;
  let clock: Date;

  beforeEach(async () => {
    ws = createWorkspace();
    db = await ws.openStore();
    articles = new SqlArticleRepository(db);
    states = new SqlSourceStateRepository(db);
    server = await startHttpServer({});
    clock = new Date("2024-05-04T03:00:00Z");
  });
  afterEach(async () => {
    await server.close();
    await db.destroy();
    ws.remove();
  });

  function collect(
    sources: unknown[],
    options: { force?: boolean; timeoutMs?: number; maxBytes?: number } = {},
  ) {
    const config = resolveConfig(workspaceConfig({ store: ws.store, sources }), {
      baseDir: path.join(ws.root, "config"),
      env: {},
    });
    return collectSources({
      sources: config.sources,
      site: config.site,
      fetch: config.fetch,
      articles,
      states,
      fetcher: createFetcher({
        timeoutMs: options.timeoutMs ?? 10_000,
        maxBytes: options.maxBytes ?? 5_000_000,
        maxRedirects: 3,
        perHost: 2,
        userAgent: "warta-test",
      }),
      now: () => clock,
      logger: silentLogger(),
      force: options.force ?? false,
    });
  }

  it("collects a corpus RSS feed, then gets a 304 and parses nothing", async () => {
    server.setRoute("/rss/terkini.xml", {
      kind: "file",
      path: path.join(indonesian, "html", "antara", "antara-mainpage.html"),
      contentType: "application/rss+xml",
    });
    const source = { id: "antara", type: "feed", url: server.url("/rss/terkini.xml") };
    const first = await collect([source]);
    expect(first.failures).toEqual([]);
    const feedText = readFileSync(
      path.join(indonesian, "html", "antara", "antara-mainpage.html"),
      "utf8",
    );
    const items = (feedText.match(/<item>/g) ?? []).length;
    expect(first.inserted).toBe(items);
    const stored = await articles.latest(100);
    const firstTitle = /<item>\s*<title>([^<]+)<\/title>/.exec(feedText)?.[1];
    expect(stored.map((a) => a.title)).toContain(firstTitle);
    // 2015-11-05 14:56:43 +0700 is the newest item.
    expect(stored[0]?.published.toISOString()).toBe("2015-11-05T07:56:43.000Z");

    clock = new Date("2024-05-04T03:05:00Z");
    const early = await collect([source]);
    expect(early.outcomes[0]?.status).toBe("not-due");
    expect(server.count("/rss/terkini.xml")).toBe(1);

    const second = await collect([source], { force: true });
    expect(second.outcomes[0]?.status).toBe("not-modified");
    expect(server.statuses("/rss/terkini.xml")).toEqual([200, 304]);
    expect(await articles.count()).toBe(items);
    const state = await states.get("antara");
    expect(state?.items).toBe(items);
    expect(state?.consecutiveFailures).toBe(0);
  });

  it("waits as long as the feed's Cache-Control max-age asks before polling again", async () => {
    server.setRoute("/cached.xml", {
      kind: "content",
      contentType: "application/rss+xml",
      headers: { "cache-control": "public, max-age=3600" },
      body: rss(server.origin, [
        {
          title: "Satu",
          path: "/satu",
          description: "<p>Isi.</p>",
          date: "Sat, 04 May 2024 08:00:00 +0700",
        },
      ]),
    });
    // min_interval (600 s) is shorter than max-age: max-age wins.
    await collect([
      { id: "cached", type: "feed", url: server.url("/cached.xml"), min_interval: 600 },
    ]);
    const state = await states.get("cached");
    expect(state?.nextPoll?.getTime()).toBe(clock.getTime() + 3600_000);
    clock = new Date(clock.getTime() + 1800_000);
    const early = await collect([{ id: "cached", type: "feed", url: server.url("/cached.xml") }]);
    expect(early.outcomes[0]?.status).toBe("not-due");
    expect(server.count("/cached.xml")).toBe(1);
  });

  it("backs off a failing source, honours Retry-After, and still collects the others", async () => {
    server.setRoute("/down.xml", { kind: "status", status: 503, retryAfter: 3600 });
    ws.writeArticle("a.md", "---\ntitle: Lokal\ndate: 2024-05-04 08:00\n---\n\nIsi.\n");
    const summary = await collect([
      { id: "down", type: "feed", url: server.url("/down.xml") },
      { id: "local", type: "directory", path: "../articles" },
    ]);
    expect(summary.inserted).toBe(1);
    expect(summary.failures).toHaveLength(1);
    expect(summary.failures[0]?.message).toContain("503");
    expect(summary.failures[0]?.message).toContain(server.url("/down.xml"));
    const state = await states.get("down");
    expect(state?.consecutiveFailures).toBe(1);
    expect(state?.nextPoll?.getTime()).toBeGreaterThanOrEqual(clock.getTime() + 3600_000);

    // After the wait, a second failure doubles the back-off.
    clock = new Date(state!.nextPoll!.getTime() + 1000);
    server.setRoute("/down.xml", { kind: "status", status: 500 });
    await collect([{ id: "down", type: "feed", url: server.url("/down.xml") }]);
    const again = await states.get("down");
    expect(again?.consecutiveFailures).toBe(2);
    const wait = again!.nextPoll!.getTime() - clock.getTime();
    // backoff_base 300 s doubled, with at most 10% jitter.
    expect(wait).toBeGreaterThanOrEqual(540_000);
    expect(wait).toBeLessThanOrEqual(660_000);
  });

  it("completes excerpt-only items by extracting their pages", async () => {
    const truth = expected()["antara/antara-singlepage.html"]!;
    server.setRoute("/berita/527615", {
      kind: "file",
      path: path.join(indonesian, "html", "antara", "antara-singlepage.html"),
      contentType: "text/html; charset=utf-8",
    });
    server.setRoute("/feed.xml", {
      kind: "content",
      contentType: "application/rss+xml",
      body: rss(server.origin, [
        {
          title: truth.title!,
          path: "/berita/527615",
          description: "Sebanyak 29 penerbangan dibatalkan …",
          date: "Thu, 05 Nov 2015 14:56:43 +0700",
        },
      ]),
    });
    const source = {
      id: "mitra",
      type: "feed",
      url: server.url("/feed.xml"),
      fetch_full_page: true,
    };
    const summary = await collect([source]);
    expect(summary.failures).toEqual([]);
    const [article] = await articles.latest(1);
    const firstSentence = truth.content!.split("\n")[0]!.slice(0, 60);
    expect(article?.contentText).toContain(firstSentence);
    expect(article?.contentText).not.toMatch(/baca juga/i);
    // Polled again, the completed story is not fetched again.
    await collect([source], { force: true });
    expect(server.count("/berita/527615")).toBe(1);
  });

  it("stores a story once when two sources carry it, remembering both", async () => {
    const description =
      "<p>Harga cabai merah di Pasar Angso Duo naik menjadi enam puluh ribu rupiah.</p>";
    const item = {
      title: "Harga Cabai Naik",
      description,
      date: "Sat, 04 May 2024 08:00:00 +0700",
    };
    server.setRoute("/a.xml", {
      kind: "content",
      contentType: "application/rss+xml",
      body: rss(server.origin, [{ ...item, path: "/berita/cabai" }]),
    });
    server.setRoute("/b.xml", {
      kind: "content",
      contentType: "application/rss+xml",
      body: rss(server.origin, [{ ...item, path: "/berita/cabai/?utm_source=mitra#atas" }]),
    });
    const summary = await collect([
      { id: "a", type: "feed", url: server.url("/a.xml") },
      { id: "b", type: "feed", url: server.url("/b.xml") },
    ]);
    expect(summary).toMatchObject({ inserted: 1, merged: 1 });
    const [article] = await articles.latest(5);
    expect((await articles.sourcesOf(article!.id)).map((s) => s.sourceId)).toEqual(["a", "b"]);
  });

  it("extracts the pages a sitemap lists, once each", async () => {
    const pages = ["kompas/kompas-singlepage.html", "tempo/tempo-singlepage.html"];
    pages.forEach((page, index) => {
      server.setRoute(`/p/${index}`, {
        kind: "file",
        path: path.join(indonesian, "html", page),
        contentType: "text/html",
      });
    });
    server.setRoute("/sitemap.xml", {
      kind: "content",
      contentType: "application/xml",
      body: `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${pages
        .map((_, i) => `<url><loc>${server.url(`/p/${i}`)}</loc></url>`)
        .join("")}</urlset>`,
    });
    const source = { id: "kompas", type: "pages", sitemap: server.url("/sitemap.xml") };
    const summary = await collect([source]);
    expect(summary.failures).toEqual([]);
    expect(summary.inserted).toBe(2);
    const titles = (await articles.latest(5)).map((a) => a.title).sort();
    expect(titles).toEqual(pages.map((p) => expected()[p]!.title!).sort());
    await collect([source], { force: true });
    expect(server.count("/p/0")).toBe(1);
    expect(server.count("/p/1")).toBe(1);
  });

  it("reads a WordPress site page by page, then only what changed since", async () => {
    const posts = Array.from({ length: 5 }, (_, i) => ({
      id: 100 + i,
      date_gmt: `2024-05-0${i + 1}T03:00:00`,
      modified_gmt: `2024-05-0${i + 1}T04:00:00`,
      link: `${server.origin}/${100 + i}/`,
      title: { rendered: `Berita nomor ${i + 1}` },
      content: { rendered: `<p>Isi berita nomor ${i + 1}.</p>` },
      excerpt: { rendered: `<p>Ringkasan ${i + 1}</p>` },
    }));
    const seenQueries: URLSearchParams[] = [];
    server.setRoute("/wp-json/wp/v2/posts", {
      kind: "handler",
      handle(request, response) {
        const query = new URL(request.url ?? "/", "http://x").searchParams;
        seenQueries.push(query);
        const after = query.get("modified_after");
        const matching = posts
          .filter((p) => !after || new Date(`${p.modified_gmt}Z`) > new Date(after))
          .sort((a, b) => a.modified_gmt.localeCompare(b.modified_gmt));
        const perPage = Number(query.get("per_page"));
        const page = Number(query.get("page"));
        const totalPages = Math.max(1, Math.ceil(matching.length / perPage));
        response.writeHead(200, {
          "content-type": "application/json",
          "x-wp-total": String(matching.length),
          "x-wp-totalpages": String(totalPages),
        });
        response.end(JSON.stringify(matching.slice((page - 1) * perPage, page * perPage)));
      },
    });
    const source = { id: "wp", type: "wordpress", url: `${server.origin}/`, per_page: 2 };
    const first = await collect([source]);
    expect(first.failures).toEqual([]);
    expect(first.inserted).toBe(5);
    expect(seenQueries.map((q) => q.get("page"))).toEqual(["1", "2", "3"]);
    expect(seenQueries[0]?.get("_embed")).toBe("1");
    expect((await states.get("wp"))?.cursor).toBe("2024-05-05T04:00:00");

    posts[2]!.modified_gmt = "2024-05-06T04:00:00";
    posts[2]!.title = { rendered: "Berita nomor 3 (diperbarui)" };
    seenQueries.length = 0;
    const second = await collect([source], { force: true });
    expect(seenQueries[0]?.get("modified_after")).toBe("2024-05-05T03:59:59Z");
    expect(second).toMatchObject({ inserted: 0, updated: 1 });
    expect((await articles.latest(10)).map((a) => a.title)).toContain(
      "Berita nomor 3 (diperbarui)",
    );
  });

  it("caps or rejects hostile sources with one clear error each and still collects the good one", async () => {
    const bomb = `<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">]>
<rss version="2.0"><channel><title>&f;</title><item><title>&f;</title></item></channel></rss>`;
    const nested = `<html><body>${"<div>".repeat(10_000)}<p>isi</p>${"</div>".repeat(10_000)}</body></html>`;
    server.setRoute("/huge.xml", {
      kind: "large",
      bytes: 50 * 1024 * 1024,
      contentType: "application/rss+xml",
    });
    server.setRoute("/bomb.xml", {
      kind: "content",
      body: bomb,
      contentType: "application/rss+xml",
    });
    server.setRoute("/drip.xml", {
      kind: "drip",
      intervalMs: 100,
      contentType: "application/rss+xml",
    });
    server.setRoute("/invalid-utf8.xml", {
      kind: "content",
      contentType: "application/rss+xml; charset=utf-8",
      body: Buffer.concat([
        Buffer.from(
          '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title><item><title>Caf',
        ),
        Buffer.from([0xe9, 0xff, 0xfe]),
        Buffer.from("</title><link>http://127.0.0.1/x</link></item></channel></rss>"),
      ]),
    });
    server.setRoute("/nested", { kind: "content", body: nested, contentType: "text/html" });
    server.setRoute("/index", {
      kind: "content",
      contentType: "text/html",
      body: `<html><body><nav>${Array.from({ length: 40 }, (_, i) => `<a href="/a/${i}">Berita ${i}</a>`).join(" ")}</nav></body></html>`,
    });
    server.setRoute("/ok.xml", {
      kind: "content",
      contentType: "application/rss+xml",
      body: rss(server.origin, [
        {
          title: "Aman",
          path: "/aman",
          description: "<p>Isi.</p>",
          date: "Sat, 04 May 2024 08:00:00 +0700",
        },
      ]),
    });
    const summary = await collect(
      [
        { id: "huge", type: "feed", url: server.url("/huge.xml") },
        { id: "bomb", type: "feed", url: server.url("/bomb.xml") },
        { id: "drip", type: "feed", url: server.url("/drip.xml") },
        { id: "utf8", type: "feed", url: server.url("/invalid-utf8.xml") },
        { id: "pages", type: "pages", urls: [server.url("/nested"), server.url("/index")] },
        { id: "scheme", type: "pages", urls: ["http://127.0.0.1:1/refused"] },
        { id: "ok", type: "feed", url: server.url("/ok.xml") },
      ],
      { timeoutMs: 1_500, maxBytes: 20 * 1024 * 1024 },
    );
    const byLocation = new Map(summary.failures.map((f) => [f.location, f.message]));
    expect(byLocation.get(server.url("/huge.xml"))).toMatch(/too large|limit|bytes/i);
    expect(byLocation.get(server.url("/bomb.xml"))).toMatch(/entit/i);
    expect(byLocation.get(server.url("/drip.xml"))).toMatch(/within 1500 ms/);
    expect(byLocation.get(server.url("/index"))).toMatch(/not an article|article/i);
    expect(byLocation.has(server.url("/nested"))).toBe(true);
    expect(byLocation.get("http://127.0.0.1:1/refused")).toContain("http://127.0.0.1:1/refused");
    // Each failure is one message naming what is at fault.
    for (const [location, message] of byLocation) expect(message).toContain(location);
    // The feed with invalid UTF-8 is read all the same, with a replacement character.
    const titles = (await articles.latest(10)).map((a) => a.title);
    expect(titles).toContain("Aman");
    expect(titles.some((t) => t.startsWith("Caf"))).toBe(true);
    expect(summary.outcomes.find((o) => o.sourceId === "ok")?.status).toBe("collected");
  });
});
