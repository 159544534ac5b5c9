import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runWarta } from "../helpers/cli.js";
import { startHttpServer, type TestHttpServer } from "../helpers/http-server.js";
import { repoRoot } from "../helpers/workspace.js";

const corpus = path.resolve(repoRoot, "..", "shared", "corpus", "extraction");
const capture = path.join(repoRoot, "tests", "fixtures", "captures", "oerban-kazakhstan-turki.txt");

describe("warta extract", () => {
  let cwd: string | undefined;
  let server: TestHttpServer | undefined;
  afterEach(async () => {
    if (cwd) rmSync(cwd, { recursive: true, force: true });
    await server?.close();
  });

  it("prints one JSON object per input, in order, and exits 1 after a bad one", async () => {
    cwd = mkdtempSync(path.join(tmpdir(), "warta-extract-"));
    const truth = JSON.parse(
      readFileSync(path.join(corpus, "indonesian-news", "expected.json"), "utf8"),
    ) as Record<string, { title: string }>;
    const kompas = path.join(corpus, "indonesian-news", "html", "kompas", "kompas-singlepage.html");
    const gz = readdirSync(path.join(corpus, "scrapinghub-aeb", "html"))[0]!;
    server = await startHttpServer({
      "/berita/tempo": {
        kind: "file",
        path: path.join(corpus, "indonesian-news", "html", "tempo", "tempo-singlepage.html"),
        contentType: "text/html",
      },
    });
    const missing = path.join(cwd, "tidak-ada.html");
    const inputs = [
      kompas,
      path.join(corpus, "scrapinghub-aeb", "html", gz),
      capture,
      server.url("/berita/tempo"),
      missing,
    ];
    const result = await runWarta(["extract", ...inputs], { cwd });
    expect(result.code).toBe(1);
    const lines = result.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => l.input)).toEqual(inputs);
    expect(lines[0]?.title).toBe(truth["kompas/kompas-singlepage.html"]?.title);
    expect(typeof lines[1]?.text).toBe("string");
    expect(String(lines[1]?.text ?? "").length).toBeGreaterThan(200);
    expect(lines[2]).toMatchObject({
      title: "Kazakhstan Incar Kerja Sama Militer dengan Turki",
      dateline: "Astana",
      credit: "Daily Sabah",
    });
    expect(lines[3]?.title).toBe(truth["tempo/tempo-singlepage.html"]?.title);
    expect(lines[4]?.error).toContain(missing);
    for (const line of lines.slice(0, 4)) {
      expect(line.error).toBeUndefined();
      expect(line.text).not.toMatch(/baca juga/i);
    }
    // Extracting leaves nothing behind: no store is created.
    expect(existsSync(path.join(cwd, "data"))).toBe(false);
  });

  it("resolves a saved page's links against --url", async () => {
    cwd = mkdtempSync(path.join(tmpdir(), "warta-extract-"));
    const page = path.join(corpus, "indonesian-news", "html", "tempo", "tempo-singlepage.html");
    const result = await runWarta(["extract", page, "--url", "https://gaya.tempo.co/read/x"], {
      cwd,
    });
    expect(result.code).toBe(0);
    const [line] = result.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { html: string });
    const hrefs = [...line!.html.matchAll(/(?:href|src)="([^"]+)"/g)].map((m) => m[1]!);
    for (const href of hrefs) expect(href).toMatch(/^https?:\/\//);
    const twice = await runWarta(["extract", page, page, "--url", "https://x.example/"], { cwd });
    expect(twice.code).toBe(2);
  });
});
