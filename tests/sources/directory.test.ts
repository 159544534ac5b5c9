import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { formatOfFile, readDirectorySource } from "../../src/sources/index.js";

describe("formatOfFile", () => {
  it.each([
    ["artikel.md", "markdown"],
    ["2024/05/Artikel.MARKDOWN", "markdown"],
    ["artikel.json", "json"],
    ["halaman.txt", "capture"],
    ["halaman.html", "html"],
    ["halaman.HTM", "html"],
  ])("reads %s as %s", (name, format) => {
    expect(formatOfFile(name)).toBe(format);
  });

  it.each([["README"], ["gambar.jpg"], ["arsip.md.bak"], [".md/catatan"]])(
    "knows no format for %s",
    (name) => {
      expect(formatOfFile(name)).toBeUndefined();
    },
  );
});

describe("readDirectorySource", () => {
  it("reads article files recursively, keyed by their relative path, and skips the rest", async () => {
    const root = mkdtempSync(path.join(tmpdir(), "warta-dir-"));
    try {
      mkdirSync(path.join(root, "ekonomi"));
      mkdirSync(path.join(root, ".git"));
      writeFileSync(path.join(root, "ekonomi", "karet.md"), "---\ntitle: Karet\n---\n");
      writeFileSync(path.join(root, "halaman.txt"), "Judul");
      writeFileSync(path.join(root, "README.md"), "not an article");
      writeFileSync(path.join(root, "foto.jpg"), "");
      writeFileSync(path.join(root, ".git", "x.md"), "");
      const result = await readDirectorySource({ id: "s", path: root });
      expect(result.failures).toEqual([]);
      expect(result.documents.map((d) => [d.key, d.format])).toEqual([
        ["ekonomi/karet.md", "markdown"],
        ["halaman.txt", "capture"],
      ]);
      expect(result.documents[0]?.content).toBe("---\ntitle: Karet\n---\n");
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("reports a folder that does not exist as a failure naming it", async () => {
    const missing = path.join(tmpdir(), "warta-no-such-folder");
    const result = await readDirectorySource({ id: "s", path: missing });
    expect(result.documents).toEqual([]);
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0]?.error.message).toContain(missing);
  });
});
