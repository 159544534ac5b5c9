import { utimesSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resolveConfig } from "../../src/config/index.js";
import { collectSources } from "../../src/pipeline/index.js";
import { silentLogger } from "../../src/shared/logger.js";
import { createFetcher } from "../../src/sources/index.js";
import { type Db, SqlArticleRepository, SqlSourceStateRepository } from "../../src/store/index.js";
import { createWorkspace, type Workspace, workspaceConfig } from "../helpers/workspace.js";

describe("collecting a directory source", () => {
  let ws: Workspace;
  let db: Db;
  let articles: SqlArticleRepository;

  beforeEach(async () => {
    ws = createWorkspace();
    db = await ws.openStore();
    articles = new SqlArticleRepository(db);
  });
  afterEach(async () => {
    await db.destroy();
    ws.remove();
  });

  const config = (source: Record<string, unknown> = {}) =>
    resolveConfig(
      workspaceConfig({
        store: ws.store,
        sources: [{ id: "local", type: "directory", path: "../articles", ...source }],
      }),
      { baseDir: path.join(ws.root, "config"), env: {} },
    );
  const collect = (now = new Date("2024-05-06T00:00:00Z"), source: Record<string, unknown> = {}) =>
    collectSources({
      sources: config(source).sources,
      site: config().site,
      fetch: config().fetch,
      articles,
      states: new SqlSourceStateRepository(db),
      fetcher: createFetcher({
        timeoutMs: 5_000,
        maxBytes: 1_000_000,
        maxRedirects: 3,
        perHost: 2,
        userAgent: "warta-test",
      }),
      now: () => now,
      logger: silentLogger(),
    });

  it("neither duplicates nor loses an article when collecting twice", async () => {
    ws.writeArticle("a.md", "---\ntitle: Satu\ndate: 2024-05-01 08:00\n---\n\nIsi satu.\n");
    ws.writeArticle("b/b.md", "---\ntitle: Dua\ndate: 2024-05-02 08:00\n---\n\nIsi dua.\n");
    const first = await collect();
    expect(first).toMatchObject({ documents: 2, inserted: 2, updated: 0, unchanged: 0 });
    const ids = (await articles.latest(10)).map((a) => a.id);
    const second = await collect();
    expect(second).toMatchObject({ documents: 2, inserted: 0, updated: 0, unchanged: 2 });
    expect((await articles.latest(10)).map((a) => a.id)).toEqual(ids);
    expect(await articles.count()).toBe(2);
  });

  it("updates the same article when its file is edited", async () => {
    const file = ws.writeArticle("a.md", "---\ntitle: Lama\ndate: 2024-05-01 08:00\n---\n\nIsi.\n");
    await collect();
    const [before] = await articles.latest(1);
    ws.writeArticle("a.md", "---\ntitle: Baru\ndate: 2024-05-01 08:00\n---\n\nIsi baru.\n");
    utimesSync(file, new Date(), new Date());
    const result = await collect(new Date("2024-05-07T00:00:00Z"));
    expect(result).toMatchObject({ inserted: 0, updated: 1 });
    const [after] = await articles.latest(1);
    expect(after?.id).toBe(before?.id);
    expect(after?.title).toBe("Baru");
    expect(after?.contentText).toBe("Isi baru.");
    expect(after?.firstSeen).toEqual(before?.firstSeen);
  });

  it("names a file it cannot parse and stores the others", async () => {
    ws.writeArticle("good.md", "---\ntitle: Baik\ndate: 2024-05-01 08:00\n---\n\nIsi.\n");
    const bad = ws.writeArticle("bad.json", "{ not json");
    const untitled = ws.writeArticle("untitled.md", "---\ndate: 2024-05-01\n---\n\nTanpa judul.\n");
    const result = await collect();
    expect(result.inserted).toBe(1);
    expect(result.failures.map((f) => f.location).sort()).toEqual([bad, untitled].sort());
    for (const failure of result.failures) expect(failure.message).toContain(failure.location);
    expect((await articles.latest(10)).map((a) => a.title)).toEqual(["Baik"]);
  });

  it("gives an article without a URL one under the site, dated in the site's time zone", async () => {
    ws.writeArticle("berita-pagi.md", "---\ntitle: Pagi\ndate: 2024-05-01 08:00\n---\n\nIsi.\n");
    await collect();
    const [article] = await articles.latest(1);
    expect(article?.url).toBe("https://news.example.org/artikel/berita-pagi/");
    expect(article?.published.toISOString()).toBe("2024-05-01T01:00:00.000Z");
    expect(article?.language).toBe("id");
  });

  it("files an article without categories under its folder, or the source's default", async () => {
    const body = "---\ntitle: T\ndate: 2024-05-01 08:00\n---\n\nIsi.\n";
    ws.writeArticle("luar-negeri/a.md", body);
    ws.writeArticle("b.md", body);
    ws.writeArticle(
      "olahraga/c.md",
      body.replace("title: T", "title: C\ncategories: [Sepak Bola]"),
    );
    await collect(new Date("2024-05-06T00:00:00Z"), {
      category_from_folder: true,
      default_category: "Umum",
    });
    const byKey = new Map((await articles.latest(10)).map((a) => [a.sourceKey, a.categories]));
    expect(byKey.get("luar-negeri/a.md")).toEqual([{ slug: "luar-negeri", name: "Luar negeri" }]);
    expect(byKey.get("b.md")).toEqual([{ slug: "umum", name: "Umum" }]);
    expect(byKey.get("olahraga/c.md")).toEqual([{ slug: "sepak-bola", name: "Sepak Bola" }]);
  });
});
