import { describe, expect, it } from "vitest";
import { parseJsonArticle } from "../../src/extract/json.js";
import { isAppError } from "../../src/shared/errors.js";
import { thrownBy } from "../helpers/errors.js";

const options = { timezone: "Asia/Jakarta", language: "id" };

describe("parseJsonArticle fields", () => {
  it("reads a JSON Feed style item", () => {
    const d = parseJsonArticle(
      JSON.stringify({
        id: "https://oerban.com/?p=4521",
        url: "https://oerban.com/2024/05/kazakhstan-turki/",
        title: "Kazakhstan Incar Kerja Sama Militer dengan Turki",
        content_html: "<p>Astana &amp; Ankara.</p><h2>Beralih ke Standar NATO</h2><p>Dua.</p>",
        summary: "Ringkas.",
        image: "https://oerban.com/barys.jpg",
        date_published: "2024-05-04T10:15:00+07:00",
        date_modified: "2024-05-05T08:00:00+07:00",
        authors: [{ name: "Rina" }, { name: "Bambang" }],
        tags: ["Turki", "Kazakhstan"],
        language: "id",
      }),
      options,
    );
    expect(d.id).toBe("https://oerban.com/?p=4521");
    expect(d.url).toBe("https://oerban.com/2024/05/kazakhstan-turki/");
    expect(d.title).toBe("Kazakhstan Incar Kerja Sama Militer dengan Turki");
    expect(d.contentHtml).toBe(
      "<p>Astana &amp; Ankara.</p><h2>Beralih ke Standar NATO</h2><p>Dua.</p>",
    );
    expect(d.contentText).toBe("Astana & Ankara.\nBeralih ke Standar NATO\nDua.");
    expect(d.summary).toBe("Ringkas.");
    expect(d.image).toEqual({ url: "https://oerban.com/barys.jpg" });
    expect(d.published?.toISOString()).toBe("2024-05-04T03:15:00.000Z");
    expect(d.updated?.toISOString()).toBe("2024-05-05T01:00:00.000Z");
    expect(d.author).toBe("Rina, Bambang");
    expect(d.tags).toEqual(["Turki", "Kazakhstan"]);
  });

  it("reads the short names: published, date, content, body, category, lang, description", () => {
    const d = parseJsonArticle(
      JSON.stringify({
        title: "Halo",
        published: "Sabtu, 4 Mei 2024 10:15 WIB",
        content: "<p>Isi</p>",
        category: "Ekonomi",
        lang: "en",
        description: "Deskripsi.",
        author: { name: "Rina" },
      }),
      options,
    );
    expect(d.published?.toISOString()).toBe("2024-05-04T03:15:00.000Z");
    expect(d.contentHtml).toBe("<p>Isi</p>");
    expect(d.categories).toEqual(["Ekonomi"]);
    expect(d.language).toBe("en");
    expect(d.summary).toBe("Deskripsi.");
    expect(d.author).toBe("Rina");

    const byDate = parseJsonArticle(JSON.stringify({ title: "Halo", date: "4 Mei 2024" }), options);
    expect(byDate.published?.toISOString()).toBe("2024-05-03T17:00:00.000Z");
  });

  it("turns plain text into escaped paragraphs split at blank lines", () => {
    const d = parseJsonArticle(
      JSON.stringify({
        title: "Halo",
        content_text: "Satu baris\nmasih paragraf satu.\n\n  \nDua: 3 < 4 & benar.",
      }),
      options,
    );
    expect(d.contentHtml).toBe(
      "<p>Satu baris masih paragraf satu.</p>\n<p>Dua: 3 &lt; 4 &amp; benar.</p>",
    );
    expect(d.contentText).toBe("Satu baris masih paragraf satu.\nDua: 3 < 4 & benar.");
  });

  it("accepts 'body' as plain text", () => {
    const d = parseJsonArticle(JSON.stringify({ title: "Halo", body: "Satu.\n\nDua." }), options);
    expect(d.contentText).toBe("Satu.\nDua.");
  });

  it("prefers the author's plain text over text read from the HTML when both are given", () => {
    const d = parseJsonArticle(
      JSON.stringify({
        title: "Halo",
        content_html: "<p>A <b>B</b></p>",
        content_text: "A B (teks)",
      }),
      options,
    );
    expect(d.contentHtml).toBe("<p>A <b>B</b></p>");
    expect(d.contentText).toBe("A B (teks)");
  });

  it("uses the default language and empty content when none is given", () => {
    const d = parseJsonArticle('{"title":"Halo"}', options);
    expect(d.language).toBe("id");
    expect(d.contentHtml).toBe("");
    expect(d.contentText).toBe("");
    expect(d.categories).toEqual([]);
  });
});

describe("parseJsonArticle failures", () => {
  it("throws PARSE_JSON with the line, column and position of a syntax error", () => {
    // `{"title": "Halo",` is 17 characters; the newline is at 17, and `}` at 27.
    const error = thrownBy(() => parseJsonArticle('{"title": "Halo",\n "date": }', options));
    expect(isAppError(error, "PARSE_JSON")).toBe(true);
    expect((error as Error).message).toContain("position 27");
    expect((error as Error).message).toContain("line 2, column 10");
  });

  it("points at the end of truncated JSON", () => {
    const error = thrownBy(() => parseJsonArticle('{"title": "Halo"', options));
    expect(isAppError(error, "PARSE_JSON")).toBe(true);
    expect((error as Error).message).toContain("position 16");
  });

  it("points at a trailing comma and at garbage after the object", () => {
    expect((thrownBy(() => parseJsonArticle('{"a": 1,}', options)) as Error).message).toContain(
      "position 8",
    );
    expect((thrownBy(() => parseJsonArticle('{"a": 1} x', options)) as Error).message).toContain(
      "position 9",
    );
  });

  it("throws PARSE_JSON when the top level is not an object", () => {
    expect(
      isAppError(
        thrownBy(() => parseJsonArticle('[{"title":"Halo"}]', options)),
        "PARSE_JSON",
      ),
    ).toBe(true);
    expect(
      isAppError(
        thrownBy(() => parseJsonArticle("null", options)),
        "PARSE_JSON",
      ),
    ).toBe(true);
  });

  it("throws PARSE_MISSING_FIELD without a title", () => {
    const error = thrownBy(() => parseJsonArticle('{"content_text":"Isi."}', options));
    expect(isAppError(error, "PARSE_MISSING_FIELD")).toBe(true);
    expect((error as Error).message).toContain("title");
  });

  it("throws PARSE_MISSING_FIELD for a blank title", () => {
    expect(
      isAppError(
        thrownBy(() => parseJsonArticle('{"title":"  "}', options)),
        "PARSE_MISSING_FIELD",
      ),
    ).toBe(true);
  });

  it("throws PARSE_DATE naming a date it cannot read", () => {
    const error = thrownBy(() =>
      parseJsonArticle('{"title":"Halo","date_published":"besok pagi"}', options),
    );
    expect(isAppError(error, "PARSE_DATE")).toBe(true);
    expect((error as Error).message).toContain("besok pagi");
  });

  it("throws PARSE_JSON for fields of the wrong type", () => {
    for (const text of [
      '{"title":"Halo","content_html":5}',
      '{"title":["Halo"]}',
      '{"title":"Halo","tags":7}',
    ]) {
      expect(
        isAppError(
          thrownBy(() => parseJsonArticle(text, options)),
          "PARSE_JSON",
        ),
        text,
      ).toBe(true);
    }
  });
});
