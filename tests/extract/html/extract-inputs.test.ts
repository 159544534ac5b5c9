import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import type { Fetcher, FetchRequest } from "../../../src/domain/index.js";
import { extractInputs } from "../../../src/pipeline/extract-inputs.js";
import { AppError } from "../../../src/shared/errors.js";
import { runWarta } from "../../helpers/cli.js";
import { repoRoot } from "../../helpers/workspace.js";

const paragraphs = [1, 2, 3]
  .map(
    (n) =>
      `<p>Paragraf ${n}: pemerintah kota mengumumkan rencana baru pada Senin pagi, dan warga menyambutnya dengan tanggapan panjang.</p>`,
  )
  .join("");
const PAGE = `<html lang="id"><head><title>Banjir Surut</title><meta property="article:published_time" content="2024-05-04T10:15:00+07:00"><meta name="author" content="Ani"><meta property="og:image" content="/img/banjir.jpg"></head><body><h1>Banjir Surut</h1><article>${paragraphs}<p><a href="/kota">Kota</a> dan <a href="https://x.example/">sumber</a> disebut dalam paragraf terakhir yang cukup panjang.</p><p><script>alert(1)</script></p></article></body></html>`;

const folder = mkdtempSync(path.join(tmpdir(), "warta-extract-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const target = path.join(folder, name);
  writeFileSync(target, content);
  return target;
}

async function collect(inputs: string[], deps: Parameters<typeof extractInputs>[1]) {
  const records: Record<string, unknown>[] = [];
  for await (const record of extractInputs(inputs, deps)) records.push(record);
  return records;
}

const deps = { timezone: "Asia/Jakarta", language: "id" };

describe("extractInputs", () => {
  it("reads .html and .html.gz pages and capture .txt files, one record each, in order", async () => {
    const html = file("banjir.html", PAGE);
    const gz = file("banjir.html.gz", gzipSync(PAGE));
    const capture = file(
      "oerban.txt",
      // The bundled fixture is a real page capture.
      (await import("node:fs")).readFileSync(
        path.join(repoRoot, "tests/fixtures/captures/oerban-kazakhstan-turki.txt"),
      ),
    );
    const records = await collect([html, gz, capture], { ...deps, pageUrl: undefined });
    expect(records.map((r) => r.input)).toEqual([html, gz, capture]);
    expect(records[0]).toMatchObject({
      title: "Banjir Surut",
      published: "2024-05-04T03:15:00.000Z",
      author: "Ani",
    });
    expect(records[1]).toEqual(records[0] && { ...records[0], input: gz });
    expect(String(records[0]?.text).split("\n")[0]).toMatch(/^Paragraf 1:/);
    expect(records[0]?.html).not.toContain("<script");
    expect(records[2]).toMatchObject({
      title: "Kazakhstan Incar Kerja Sama Militer dengan Turki",
      dateline: "Astana",
    });
    expect(records[2]?.credit).toBeDefined();
  });

  it("resolves a local page's links and image against the page URL given", async () => {
    const html = file("banjir-url.html", PAGE);
    const [record] = await collect([html], {
      ...deps,
      pageUrl: "https://warta.example/kota/banjir",
    });
    expect(record?.image).toBe("https://warta.example/img/banjir.jpg");
    expect(record?.html).toContain('href="https://warta.example/kota"');
  });

  it("fetches URLs through the fetcher and decodes their bytes by the Content-Type", async () => {
    const requests: FetchRequest[] = [];
    const fetcher: Fetcher = {
      async fetch(request) {
        requests.push(request);
        return {
          url: "https://warta.example/final",
          status: 200,
          notModified: false,
          headers: {},
          body: Buffer.from(
            PAGE.replace("<article>", "<article><p>Harga kopi di caf\xe9 naik.</p>"),
            "latin1",
          ),
          contentType: "text/html; charset=iso-8859-1",
        };
      },
    };
    const [record] = await collect(["https://warta.example/start"], { ...deps, fetcher });
    expect(requests[0]?.url).toBe("https://warta.example/start");
    expect(record?.title).toBe("Banjir Surut");
    expect(record?.text).toContain("café");
    expect(record?.image).toBe("https://warta.example/img/banjir.jpg");
  });

  it("yields an error record for each bad input and carries on with the others", async () => {
    const good = file("baik.html", PAGE);
    const empty = file("kosong.html", "<html><body><p>Halo.</p></body></html>");
    const failing: Fetcher = {
      fetch: async () => {
        throw new AppError("FETCH_HTTP_STATUS", "fetch: https://warta.example/x: 404");
      },
    };
    const records = await collect(
      [
        empty,
        path.join(folder, "tidak-ada.html"),
        "https://warta.example/x",
        good,
        file("a.pdf", "%PDF"),
      ],
      { ...deps, fetcher: failing },
    );
    expect(records.map((r) => Object.keys(r).includes("error"))).toEqual([
      true,
      true,
      true,
      false,
      true,
    ]);
    expect(records[0]?.error).toMatch(/no article found/);
    expect(records[2]?.error).toMatch(/404/);
    expect(records[3]?.title).toBe("Banjir Surut");
  });

  it("reports URLs as errors when no fetcher is available", async () => {
    const [record] = await collect(["https://warta.example/x"], deps);
    expect(record).toEqual({
      input: "https://warta.example/x",
      error: expect.stringMatching(/fetch/),
    });
  });
});

describe("warta extract", () => {
  it("prints one JSON line per input without a config file, and exits 1 after a bad input", async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), "warta-extract-cli-"));
    try {
      const good = path.join(cwd, "baik.html");
      writeFileSync(good, PAGE);
      writeFileSync(path.join(cwd, "rusak.html"), "<p>x</p>");
      const result = await runWarta(
        ["extract", "rusak.html", "baik.html", "--url", "https://w.example/a"],
        {
          cwd,
        },
      );
      expect(result.code).toBe(2);
      const run = await runWarta(["extract", "rusak.html", "baik.html"], { cwd });
      const lines = run.stdout
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines.map((line) => line.input)).toEqual(["rusak.html", "baik.html"]);
      expect(lines[0]?.error).toMatch(/no article found/);
      expect(lines[1]).toMatchObject({ title: "Banjir Surut", author: "Ani" });
      expect(run.code).toBe(1);
      const single = await runWarta(["extract", "baik.html", "--url", "https://w.example/kota/a"], {
        cwd,
      });
      expect(single.code).toBe(0);
      expect(JSON.parse(single.stdout).image).toBe("https://w.example/img/banjir.jpg");
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
