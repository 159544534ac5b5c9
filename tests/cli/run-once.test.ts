import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { load } from "cheerio";
import { parse } from "csv-parse/sync";
import { simpleParser } from "mailparser";
import { afterEach, describe, expect, it } from "vitest";
import { runWarta } from "../helpers/cli.js";
import { storeTables } from "../helpers/store.js";
import { createWorkspace, type Workspace, workspaceConfig } from "../helpers/workspace.js";

function articleFiles(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(md|json|txt)$/.test(e.name) && !/^readme/i.test(e.name))
    .map((e) => path.join(e.parentPath, e.name));
}

function filesBelow(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}

/** Active subscribers of a subscribers file, with what they chose (columns found by name). */
function activeReaders(csv: string) {
  const rows = parse(csv, { columns: true, skip_empty_lines: true, trim: true }) as Record<
    string,
    string | undefined
  >[];
  return rows
    .filter((row) => !row.status || row.status === "active")
    .map((row) => ({
      email: (row.email ?? "").toLowerCase(),
      language: (row.language || "id").toLowerCase().split("-")[0]!,
      categories: (row.categories ?? "")
        .split(/[;|]/)
        .map((c) => c.trim().toLowerCase())
        .filter(Boolean),
    }));
}

/** Every published article: URL, primary language, category slugs (from the category feeds). */
function readCatalog(feeds: string) {
  type JsonFeed = { items: { url: string; language?: string }[] };
  const all = JSON.parse(readFileSync(path.join(feeds, "feed.json"), "utf8")) as JsonFeed;
  const categories = new Map<string, string[]>();
  for (const slug of readdirSync(path.join(feeds, "category"))) {
    const feed = JSON.parse(
      readFileSync(path.join(feeds, "category", slug, "feed.json"), "utf8"),
    ) as JsonFeed;
    for (const item of feed.items) {
      categories.set(item.url, [...(categories.get(item.url) ?? []), slug]);
    }
  }
  return all.items.map((item) => ({
    url: item.url,
    language: (item.language ?? "id").toLowerCase().split("-")[0]!,
    categories: categories.get(item.url) ?? [],
  }));
}

/** The messages in the outbox, as a reader's client shows them. */
async function readOutbox(outbox: string) {
  return Promise.all(
    readdirSync(outbox).map(async (file) => {
      const raw = readFileSync(path.join(outbox, file), "utf8");
      const mail = await simpleParser(raw);
      const $ = load(mail.html || "");
      const links = new Set(
        $("a[href^='https://news.example.org/artikel/']")
          .map((_, a) => $(a).attr("href"))
          .get(),
      );
      const header = mail.headerLines.find((h) => h.key === "list-unsubscribe")?.line ?? "";
      return {
        file,
        raw,
        to: Array.isArray(mail.to) ? "" : (mail.to?.value[0]?.address ?? ""),
        text: mail.text ?? "",
        articleLinks: [...links].sort(),
        listUnsubscribe: header.replace(/^[^:]+:\s*/, "").replace(/\r?\n\s+/g, " "),
      };
    }),
  );
}

describe("warta run --once", () => {
  let ws: Workspace | undefined;
  afterEach(() => ws?.remove());

  it("collects, publishes, composes and delivers the sample end to end, then only what is new", async () => {
    ws = createWorkspace({ withSamples: true });
    const config = ws.writeConfig(
      workspaceConfig({
        newsletter: {
          subscribers_file: "../subscribers.csv",
          unsubscribe_mailto: "berhenti@news.example.org",
        },
      }),
    );
    const samples = articleFiles(ws.articles).length;
    const readers = activeReaders(readFileSync(path.join(ws.root, "subscribers.csv"), "utf8"));
    expect(readers.length).toBeGreaterThan(0);

    const first = await runWarta(["run", "--once", "--config", config], { cwd: ws.root });
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`${samples} documents from 1 source(s): ${samples} new`);
    for (const feed of ["rss.xml", "atom.xml", "feed.json"]) {
      expect(existsSync(path.join(ws.root, "public", "feeds", feed))).toBe(true);
    }
    const categoryFolders = readdirSync(path.join(ws.root, "public", "feeds", "category"));
    expect(categoryFolders.length).toBeGreaterThanOrEqual(4);
    // The run made its store (the SQLite file, or the tables in its PostgreSQL schema).
    expect(await storeTables(ws.store)).toEqual(
      expect.arrayContaining(["articles", "subscribers", "editions", "deliveries", "job_state"]),
    );

    // Who should get what, from the published feeds (not from the digest): on a fresh install
    // each reader gets every article just collected in their language and categories.
    const catalog = readCatalog(path.join(ws.root, "public", "feeds"));
    const outbox = path.join(ws.root, "outbox");
    const messages = await readOutbox(outbox);
    expect(messages.map((m) => m.to).sort()).toEqual(readers.map((r) => r.email).sort());
    for (const reader of readers) {
      const message = messages.find((m) => m.to === reader.email)!;
      const wanted = catalog
        .filter((a) => a.language === reader.language)
        .filter(
          (a) =>
            reader.categories.length === 0 ||
            a.categories.some((c) => reader.categories.includes(c)),
        )
        .map((a) => a.url);
      expect(wanted.length, reader.email).toBeGreaterThan(0);
      expect(message.articleLinks, reader.email).toEqual([...wanted].sort());
      expect(message.text).toBeTruthy();
      expect(message.listUnsubscribe).toMatch(
        /^<https:\/\/news\.example\.org\/unsubscribe\?token=/,
      );
      expect(message.listUnsubscribe).toContain("<mailto:berhenti@news.example.org?subject=");
      expect(/[\uE000\uE001]/.test(message.raw)).toBe(false);
    }
    expect(first.stdout).toContain(`send: ${readers.length} message(s) delivered via outbox`);
    // The web version of every edition is public, with no placeholder left in it.
    for (const file of filesBelow(path.join(ws.root, "public"))) {
      expect(/[\uE000\uE001]/.test(readFileSync(file, "utf8")), file).toBe(false);
    }

    // Nothing changed: nothing new is stored and no empty digest goes out.
    const second = await runWarta(["run", "--once", "--config", config], { cwd: ws.root });
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`${samples} unchanged`);
    expect(second.stdout).toContain("digest: no edition");
    expect(readdirSync(outbox)).toHaveLength(readers.length);

    // A new Indonesian article on the economy and a broken file: the broken one is named, the
    // rest goes on, and the article reaches only the readers of that language and category.
    ws.writeArticle(
      "baru.md",
      "---\ntitle: Harga Cabai Turun di Pasar Angso Duo\ndate: 2024-05-11 07:00\ncategories: [Ekonomi]\nlanguage: id\nslug: harga-cabai-turun\n---\n\nHarga cabai merah turun menjadi Rp 40.000 per kilogram.\n",
    );
    const broken = ws.writeArticle("rusak.md", "---\ntitle: [tidak ditutup\n---\n\nIsi.\n");
    const third = await runWarta(["run", "--once", "--config", config], { cwd: ws.root });
    expect(third.code).toBe(1);
    expect(third.stdout).toContain(broken);
    expect(third.stdout).toContain("1 new");
    const interested = readers.filter(
      (r) => r.language === "id" && (r.categories.length === 0 || r.categories.includes("ekonomi")),
    );
    expect(interested.length).toBeGreaterThan(0);
    expect(third.stdout).toMatch(/digest: edition \d+ .* with 1 articles/);
    const after = await readOutbox(outbox);
    expect(after).toHaveLength(readers.length + interested.length);
    const fresh = after.filter((m) => !messages.some((old) => old.file === m.file));
    expect(fresh.map((m) => m.to).sort()).toEqual(interested.map((r) => r.email).sort());
    for (const message of fresh) {
      expect(message.articleLinks).toEqual(["https://news.example.org/artikel/harga-cabai-turun/"]);
    }
    const rss = readFileSync(path.join(ws.root, "public", "feeds", "rss.xml"), "utf8");
    expect(rss).toContain("Harga Cabai Turun di Pasar Angso Duo");
  });

  it("reports a broken template by file and line, sends nothing, and still runs the other jobs", async () => {
    ws = createWorkspace();
    ws.writeArticle(
      "a.md",
      "---\ntitle: Banjir Surut\ndate: 2024-05-04 08:00\n---\n\nAir surut.\n",
    );
    writeFileSync(path.join(ws.root, "subscribers.csv"), "email\nani@example.org\n");
    const card = path.join(ws.root, "templates", "partials", "article.mjml");
    const original = readFileSync(card, "utf8");
    const lines = original.split("\n");
    const at = lines.findIndex((l) => l.includes("<mj-column>"));
    lines[at] = '  <mj-column bogus-attribute="1">';
    writeFileSync(card, lines.join("\n"));
    const config = ws.writeConfig(
      workspaceConfig({ newsletter: { subscribers_file: "../subscribers.csv" } }),
    );

    const broken = await runWarta(["run", "--once", "--config", config], { cwd: ws.root });
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain(`partials/article.mjml:${at + 1}`);
    expect(broken.stdout).toContain("collect: 1 documents");
    expect(existsSync(path.join(ws.root, "public", "feeds", "rss.xml"))).toBe(true);
    expect(existsSync(path.join(ws.root, "outbox"))).toBe(false);

    // Once the operator mends the template, the edition goes out, once.
    writeFileSync(card, original);
    const mended = await runWarta(["run", "--once", "--config", config], { cwd: ws.root });
    expect(mended.code).toBe(0);
    expect(mended.stdout).toContain("send: 1 message(s) delivered via outbox");
    expect(readdirSync(path.join(ws.root, "outbox"))).toHaveLength(1);
  });

  it("exits 1 with one message naming the key when the configuration is invalid", async () => {
    ws = createWorkspace();
    const config = ws.writeConfig(workspaceConfig({ schedule: { digest: "every morning" } }));
    const result = await runWarta(["run", "--once", "--config", config], { cwd: ws.root });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("schedule.digest");
    expect(result.stderr).toContain(config);
    expect(existsSync(path.join(ws.root, "data"))).toBe(false);
    expect(await storeTables(ws.store)).toBeUndefined();
  });

  it("exits 2 on wrong usage and 0 for --help", async () => {
    ws = createWorkspace();
    const wrong = await runWarta(["publsh"], { cwd: ws.root });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain("unknown command");
    const option = await runWarta(["collect", "--nope"], { cwd: ws.root });
    expect(option.code).toBe(2);
    for (const args of [["--help"], ["digest", "--help"], ["run", "--help"]]) {
      const help = await runWarta(args, { cwd: ws.root });
      expect(help.code).toBe(0);
      expect(help.stdout).toContain("Usage: warta");
    }
  });
});
