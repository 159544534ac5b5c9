import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { RawDocument } from "../../src/domain/index.js";
import { extractDocument } from "../../src/extract/index.js";
import { AppError, isAppError } from "../../src/shared/errors.js";
import { thrownBy } from "../helpers/errors.js";

const options = { timezone: "Asia/Jakarta", language: "id" };

function documentOf(
  format: RawDocument["format"],
  content: string,
  location = `/berita/artikel.${format}`,
): RawDocument {
  return { sourceId: "lokal", key: `artikel.${format}`, location, format, content };
}

describe("extractDocument", () => {
  it("reads Markdown with front matter", () => {
    const draft = extractDocument(documentOf("markdown", "---\ntitle: Halo\n---\nIsi."), options);
    expect(draft.title).toBe("Halo");
    expect(draft.contentText).toBe("Isi.");
    expect(draft.language).toBe("id");
  });

  it("reads a JSON article", () => {
    const draft = extractDocument(
      documentOf("json", '{"title":"Halo","content_text":"Isi."}'),
      options,
    );
    expect(draft.title).toBe("Halo");
    expect(draft.contentHtml).toBe("<p>Isi.</p>");
  });

  it("reads a page capture", () => {
    const content = readFileSync(
      new URL("../fixtures/captures/oerban-kazakhstan-turki.txt", import.meta.url),
      "utf8",
    );
    const draft = extractDocument(documentOf("capture", content), options);
    expect(draft.title).toBe("Kazakhstan Incar Kerja Sama Militer dengan Turki");
    expect(draft.language).toBe("id");
  });

  it("reads an HTML page, resolving its links against a URL location", () => {
    const body =
      "<p>Isi berita yang cukup panjang untuk sebuah artikel, dengan kalimat lengkap.</p>".repeat(
        6,
      );
    const page = `<html lang="id"><head><title>Halo - Warta</title></head><body><h1>Halo</h1><article>${body}<p><a href="/lain">tautan</a> di dalam kalimat yang juga cukup panjang untuk dibaca.</p></article></body></html>`;
    const draft = extractDocument(
      documentOf("html", page, "https://warta.example/berita/halo"),
      options,
    );
    expect(draft.title).toBe("Halo");
    expect(draft.language).toBe("id");
    expect(draft.contentHtml).toContain('href="https://warta.example/lain"');
  });

  it("refuses an HTML page without an article with EXTRACT_NOT_ARTICLE, prefixed with the location", () => {
    const error = thrownBy(() =>
      extractDocument(documentOf("html", "<html></html>", "/berita/a.html"), options),
    );
    expect(isAppError(error, "EXTRACT_NOT_ARTICLE")).toBe(true);
    expect((error as Error).message).toMatch(/^extract: \/berita\/a\.html: html: /);
  });

  it("prefixes a parser's error with the location and keeps its code and the original as cause", () => {
    const error = thrownBy(() =>
      extractDocument(documentOf("json", "{", "/berita/rusak.json"), options),
    );
    expect(isAppError(error, "PARSE_JSON")).toBe(true);
    expect((error as Error).message).toMatch(/^extract: \/berita\/rusak\.json: json: invalid JSON/);
    const cause = (error as Error).cause;
    expect(cause).toBeInstanceOf(AppError);
    expect(isAppError(cause, "PARSE_JSON")).toBe(true);
    expect((cause as Error).message).toMatch(/^json: /);
  });

  it("keeps PARSE_MISSING_FIELD, PARSE_DATE and PARSE_CAPTURE codes", () => {
    expect(
      isAppError(
        thrownBy(() => extractDocument(documentOf("markdown", "Isi saja."), options)),
        "PARSE_MISSING_FIELD",
      ),
    ).toBe(true);
    expect(
      isAppError(
        thrownBy(() =>
          extractDocument(documentOf("markdown", "---\ntitle: A\ndate: nanti\n---\n"), options),
        ),
        "PARSE_DATE",
      ),
    ).toBe(true);
    expect(
      isAppError(
        thrownBy(() => extractDocument(documentOf("capture", "Populer\n"), options)),
        "PARSE_CAPTURE",
      ),
    ).toBe(true);
  });

  it("refuses a format it does not know", () => {
    const doc = { ...documentOf("json", "{}"), format: "pdf" } as unknown as RawDocument;
    expect(
      isAppError(
        thrownBy(() => extractDocument(doc, options)),
        "SOURCE_UNKNOWN_FORMAT",
      ),
    ).toBe(true);
  });
});
