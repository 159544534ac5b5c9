import { existsSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { load } from "cheerio";
import { afterEach, describe, expect, it, onTestFinished } from "vitest";
import { runWarta } from "../helpers/cli.js";
import { createWorkspace, type Workspace, workspaceConfig } from "../helpers/workspace.js";

const chromium = "/usr/bin/chromium";
// Debian's chromium; without it the screenshot test fails (warta names the missing path).

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from a PNG's IHDR chunk, which must come first. */
function pngSize(file: string): { width: number; height: number } {
  const bytes = readFileSync(file);
  expect(bytes.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
  expect(bytes.subarray(12, 16).toString("latin1")).toBe("IHDR");
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

function writeStories(ws: Workspace) {
  ws.writeArticle(
    "ekonomi/karet.md",
    "---\ntitle: Harga Karet Naik\ndate: 2024-05-04 08:00\ncategories: [Ekonomi]\nslug: harga-karet\nlanguage: id\n---\n\nPetani senang.\n",
  );
  ws.writeArticle(
    "ekonomi/rubber.md",
    "---\ntitle: Rubber Prices Rise in Jambi\ndate: 2024-05-04 09:00\ncategories: [Ekonomi]\nslug: rubber-prices\nlanguage: en\n---\n\nFarmers are pleased.\n",
  );
  ws.writeArticle(
    "olahraga/football.md",
    "---\ntitle: Persijam Wins the Derby\ndate: 2024-05-04 10:00\ncategories: [Olahraga]\nslug: persijam-derby\nlanguage: en\n---\n\nA late goal.\n",
  );
}

describe("warta digest --preview", () => {
  let ws: Workspace | undefined;
  afterEach(() => ws?.remove());

  it("writes one segment's next edition as HTML, text and screenshots, storing and sending nothing", async () => {
    ws = createWorkspace();
    writeStories(ws);
    const config = ws.writeConfig(
      workspaceConfig({
        newsletter: { subscribers_file: "../subscribers.csv" },
        preview: { chromium },
      }),
    );
    // Images of the digest point at a local server: the preview must not ask it for them.
    const requests: string[] = [];
    const images = http.createServer((req, res) => {
      requests.push(req.url ?? "");
      res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => images.listen(0, "127.0.0.1", resolve));
    const port = (images.address() as AddressInfo).port;
    onTestFinished(() => new Promise<void>((resolve) => images.close(() => resolve())));
    for (const n of [1, 2, 3]) {
      ws.writeArticle(
        `ekonomi/coffee-${n}.md`,
        `---\ntitle: Kerinci Coffee Exports, Part ${n}\ndate: 2024-05-0${n} 07:00\ncategories: [Ekonomi]\nslug: coffee-${n}\nlanguage: en\nimage:\n  url: http://127.0.0.1:${port}/coffee-${n}.jpg\n  width: 1200\n  height: 800\n---\n\nArabica from the slopes of Mount Kerinci is shipped to Dubai, a milestone for the farmers who once sold their cherries to middlemen.\n`,
      );
    }
    writeFileSync(path.join(ws.root, "subscribers.csv"), "email\nani@example.org\n");
    expect((await runWarta(["collect", "--config", config], { cwd: ws.root })).code).toBe(0);

    const result = await runWarta(
      [
        "digest",
        "--preview",
        "out",
        "--language",
        "en",
        "--categories",
        "ekonomi",
        "--config",
        config,
      ],
      { cwd: ws.root },
    );
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const out = path.join(ws.root, "out");
    for (const name of ["digest.html", "digest.txt", "digest-375.png", "digest-1200.png"]) {
      expect(existsSync(path.join(out, name)), name).toBe(true);
    }

    const html = readFileSync(path.join(out, "digest.html"), "utf8");
    const text = readFileSync(path.join(out, "digest.txt"), "utf8");
    const $ = load(html);
    const articleLinks = [
      ...new Set(
        $("a[href*='/artikel/']")
          .map((_, a) => $(a).attr("href"))
          .get(),
      ),
    ];
    expect(articleLinks.sort()).toEqual(
      ["coffee-1", "coffee-2", "coffee-3", "rubber-prices"].map(
        (slug) => `https://news.example.org/artikel/${slug}/`,
      ),
    );
    expect($("html").attr("lang")).toBe("en");
    expect(text).toContain("Rubber Prices Rise in Jambi");
    expect(text).not.toContain("Harga Karet Naik");
    expect(text).not.toContain("Persijam Wins the Derby");
    // Filled for a sample reader: links, no placeholder left.
    expect(/[\uE000\uE001]/.test(html + text)).toBe(false);
    expect(text).toMatch(/https:\/\/news\.example\.org\/unsubscribe\?token=\S+/);

    expect($(`img[src^='http://127.0.0.1:${port}/']`).length).toBe(3);
    expect(requests).toEqual([]);

    const narrow = pngSize(path.join(out, "digest-375.png"));
    const wide = pngSize(path.join(out, "digest-1200.png"));
    expect(narrow.width).toBe(375);
    expect(wide.width).toBe(1200);
    // Full page: four articles in a phone's width are taller than one 800-pixel screen.
    expect(narrow.height).toBeGreaterThan(800);
    expect(narrow.height).toBeGreaterThan(wide.height);

    // Nothing was stored or sent: the real digest is still the first edition.
    expect(existsSync(path.join(ws.root, "outbox"))).toBe(false);
    const digest = await runWarta(["digest", "--config", config], { cwd: ws.root });
    expect(digest.stdout).toContain("digest: edition 1 ");
  });

  it("names the missing Chromium and exits 1, still writing the HTML and text", async () => {
    ws = createWorkspace();
    writeStories(ws);
    const missing = path.join(ws.root, "no-such", "chromium");
    const config = ws.writeConfig(workspaceConfig({ preview: { chromium: missing } }));
    await runWarta(["collect", "--config", config], { cwd: ws.root });
    const result = await runWarta(["digest", "--preview", "out", "--config", config], {
      cwd: ws.root,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(missing);
    const out = path.join(ws.root, "out");
    expect(existsSync(path.join(out, "digest.html"))).toBe(true);
    expect(existsSync(path.join(out, "digest.txt"))).toBe(true);
    expect(existsSync(path.join(out, "digest-375.png"))).toBe(false);
    // The default segment is the site language, every category: the Indonesian article.
    expect(readFileSync(path.join(out, "digest.txt"), "utf8")).toContain("Harga Karet Naik");
  });

  it("says so and writes nothing when no article matches the segment", async () => {
    ws = createWorkspace();
    writeStories(ws);
    const config = ws.writeConfig(workspaceConfig());
    await runWarta(["collect", "--config", config], { cwd: ws.root });
    const result = await runWarta(
      [
        "digest",
        "--preview",
        "out",
        "--language",
        "id",
        "--categories",
        "olahraga",
        "--config",
        config,
      ],
      { cwd: ws.root },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("nothing to preview");
    expect(existsSync(path.join(ws.root, "out"))).toBe(false);
  });
});
