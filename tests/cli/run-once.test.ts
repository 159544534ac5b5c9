import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { simpleParser } from "mailparser";
import { afterEach, describe, expect, it } from "vitest";
import { runWarta } from "../helpers/cli.js";
import { createWorkspace, type Workspace, workspaceConfig } from "../helpers/workspace.js";

function articleFiles(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(md|json|txt)$/.test(e.name) && !/^readme/i.test(e.name))
    .map((e) => path.join(e.parentPath, e.name));
}

function subscriberAddresses(csv: string): string[] {
  return csv
    .trim()
    .split("\n")
    .slice(1)
    .map((line) => line.split(",")[0]!.trim().toLowerCase());
}

describe("warta run --once", () => {
  let ws: Workspace | undefined;
  afterEach(() => ws?.remove());

  it("collects, publishes, composes and delivers the sample end to end, then only what is new", async () => {
    ws = createWorkspace({ withSamples: true });
    const config = ws.writeConfig(
      workspaceConfig({
        newsletter: { subscribers_file: "../subscribers.csv", first_articles: 8 },
      }),
    );
    const samples = articleFiles(ws.articles).length;
    const addresses = subscriberAddresses(
      readFileSync(path.join(ws.root, "subscribers.csv"), "utf8"),
    );

    const first = await runWarta(["run", "--once", "--config", config], { cwd: ws.root });
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(`${samples} documents from 1 source(s): ${samples} new`);
    for (const feed of ["rss.xml", "atom.xml", "feed.json"]) {
      expect(existsSync(path.join(ws.root, "public", "feeds", feed))).toBe(true);
    }
    const categoryFolders = readdirSync(path.join(ws.root, "public", "feeds", "category"));
    expect(categoryFolders.length).toBeGreaterThanOrEqual(4);
    expect(existsSync(path.join(ws.root, "data", "warta.sqlite"))).toBe(true);

    const outbox = path.join(ws.root, "outbox");
    const messages = await Promise.all(
      readdirSync(outbox).map(async (f) => simpleParser(readFileSync(path.join(outbox, f)))),
    );
    expect(
      messages.map((m) => (Array.isArray(m.to) ? "" : m.to?.value[0]?.address)).sort(),
    ).toEqual([...addresses].sort());
    for (const message of messages) {
      expect(message.html).toBeTruthy();
      expect(message.text).toBeTruthy();
      // The first edition carries the newest `first_articles` articles.
      expect(
        message.html &&
          (message.html.match(/href="https:\/\/news\.example\.org\/artikel\//g) ?? []).length,
      ).toBeGreaterThanOrEqual(8);
    }
    expect(first.stdout).toContain(`send: ${addresses.length} message(s) delivered via outbox`);

    // Nothing changed: nothing new is stored and no empty digest goes out.
    const second = await runWarta(["run", "--once", "--config", config], { cwd: ws.root });
    expect(second.code).toBe(0);
    expect(second.stdout).toContain(`${samples} unchanged`);
    expect(second.stdout).toContain("digest: no edition");
    expect(readdirSync(outbox)).toHaveLength(addresses.length);

    // A new article and a broken file: the broken one is named, the rest goes on.
    ws.writeArticle(
      "baru.md",
      "---\ntitle: Harga Cabai Turun di Pasar Angso Duo\ndate: 2024-05-11 07:00\ncategories: [Ekonomi]\n---\n\nHarga cabai merah turun menjadi Rp 40.000 per kilogram.\n",
    );
    const broken = ws.writeArticle("rusak.md", "---\ntitle: [tidak ditutup\n---\n\nIsi.\n");
    const third = await runWarta(["run", "--once", "--config", config], { cwd: ws.root });
    expect(third.code).toBe(1);
    expect(third.stdout).toContain(broken);
    expect(third.stdout).toContain("1 new");
    expect(third.stdout).toMatch(/digest: edition 2 .* with 1 articles/);
    const after = readdirSync(outbox);
    expect(after).toHaveLength(addresses.length * 2);
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

  it("previews the next edition to a file without storing or sending it", async () => {
    ws = createWorkspace();
    ws.writeArticle(
      "a.md",
      "---\ntitle: Festival Danau Kerinci Dibuka\ndate: 2024-05-04 08:00\nslug: festival-kerinci\n---\n\nMeriah.\n",
    );
    writeFileSync(path.join(ws.root, "subscribers.csv"), "email\nani@example.org\n");
    const config = ws.writeConfig(
      workspaceConfig({ newsletter: { subscribers_file: "../subscribers.csv" } }),
    );
    await runWarta(["collect", "--config", config], { cwd: ws.root });
    const preview = await runWarta(
      ["digest", "--preview", "preview/next.html", "--config", config],
      {
        cwd: ws.root,
      },
    );
    expect(preview.code).toBe(0);
    const html = readFileSync(path.join(ws.root, "preview", "next.html"), "utf8");
    expect(html).toContain("Festival Danau Kerinci Dibuka");
    expect(html).toContain('href="https://news.example.org/artikel/festival-kerinci/"');
    expect(existsSync(path.join(ws.root, "outbox"))).toBe(false);
    // Nothing was stored: the real digest is still the first edition.
    const digest = await runWarta(["digest", "--config", config], { cwd: ws.root });
    expect(digest.stdout).toContain("digest: edition 1 ");
  });

  it("exits 1 with one message naming the key when the configuration is invalid", async () => {
    ws = createWorkspace();
    const config = ws.writeConfig(workspaceConfig({ schedule: { digest: "every morning" } }));
    const result = await runWarta(["run", "--once", "--config", config], { cwd: ws.root });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("schedule.digest");
    expect(result.stderr).toContain(config);
    expect(existsSync(path.join(ws.root, "data"))).toBe(false);
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
