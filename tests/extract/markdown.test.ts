import { describe, expect, it } from "vitest";
import { parseMarkdown } from "../../src/extract/markdown.js";
import { isAppError } from "../../src/shared/errors.js";
import { thrownBy } from "../helpers/errors.js";

const options = { timezone: "Asia/Jakarta", language: "id" };

describe("parseMarkdown front matter", () => {
  const full = [
    "---",
    "title: Kazakhstan Incar Kerja Sama Militer dengan Turki",
    "date: 2024-05-04 10:15",
    "updated: 2024-05-05T08:00:00+07:00",
    "author: Rina Ayu Larasati",
    "categories: [Internasional, Pertahanan]",
    "tags: Turki, Kazakhstan",
    "lang: en",
    "description: Kazakhstan ingin bekerja sama dengan Turki.",
    "url: https://oerban.com/2024/05/kazakhstan-turki/",
    "slug: kazakhstan-turki",
    "id: 4521",
    "image:",
    "  url: https://oerban.com/wp-content/uploads/2024/05/barys.jpg",
    "  alt: Kendaraan Barys 8x8",
    "  width: 1200",
    "  height: 675",
    "dateline: Astana",
    "credit: Daily Sabah",
    "---",
    "Isi artikel.",
  ].join("\n");

  it("reads every documented key", () => {
    const d = parseMarkdown(full, options);
    expect(d.title).toBe("Kazakhstan Incar Kerja Sama Militer dengan Turki");
    expect(d.author).toBe("Rina Ayu Larasati");
    expect(d.categories).toEqual(["Internasional", "Pertahanan"]);
    expect(d.tags).toEqual(["Turki", "Kazakhstan"]);
    expect(d.language).toBe("en");
    expect(d.summary).toBe("Kazakhstan ingin bekerja sama dengan Turki.");
    expect(d.url).toBe("https://oerban.com/2024/05/kazakhstan-turki/");
    expect(d.slug).toBe("kazakhstan-turki");
    expect(d.id).toBe("4521");
    expect(d.image).toEqual({
      url: "https://oerban.com/wp-content/uploads/2024/05/barys.jpg",
      alt: "Kendaraan Barys 8x8",
      width: 1200,
      height: 675,
    });
    expect(d.dateline).toBe("Astana");
    expect(d.credit).toBe("Daily Sabah");
  });

  it("reads a date without offset in the source's zone, and keeps an explicit offset", () => {
    const d = parseMarkdown(full, options);
    expect(d.published?.toISOString()).toBe("2024-05-04T03:15:00.000Z");
    expect(d.updated?.toISOString()).toBe("2024-05-05T01:00:00.000Z");
  });

  it("reads an unquoted YAML date as local midnight, not UTC midnight", () => {
    const d = parseMarkdown("---\ntitle: Halo\ndate: 2024-05-04\n---\n", options);
    expect(d.published?.toISOString()).toBe("2024-05-03T17:00:00.000Z");
  });

  it("reads Indonesian dates and the 'published' alias", () => {
    const d = parseMarkdown(
      "---\ntitle: Halo\npublished: Sabtu, 4 Mei 2024 10:15 WIB\n---\n",
      options,
    );
    expect(d.published?.toISOString()).toBe("2024-05-04T03:15:00.000Z");
  });

  it("uses the default language and empty lists when the document names none", () => {
    const d = parseMarkdown("---\ntitle: Halo\n---\nIsi.", options);
    expect(d.language).toBe("id");
    expect(d.categories).toEqual([]);
    expect(d.tags).toEqual([]);
    expect(d.published).toBeUndefined();
    expect(d.summary).toBeUndefined();
    expect(d.image).toBeUndefined();
  });

  it("keeps a single category whole and adds it after the list", () => {
    const d = parseMarkdown(
      "---\ntitle: Halo\ncategories: Politik, Ekonomi\ncategory: Ekonomi & Bisnis, Mikro\n---\n",
      options,
    );
    expect(d.categories).toEqual(["Politik", "Ekonomi", "Ekonomi & Bisnis, Mikro"]);
  });

  it("accepts an image given as a plain URL", () => {
    const d = parseMarkdown("---\ntitle: Halo\nimage: https://example.id/a.jpg\n---\n", options);
    expect(d.image).toEqual({ url: "https://example.id/a.jpg" });
  });

  it("reads a numeric title as text", () => {
    expect(parseMarkdown("---\ntitle: 1984\n---\n", options).title).toBe("1984");
  });
});

describe("parseMarkdown body", () => {
  const text = [
    "---",
    "title: Halo",
    "---",
    "## Peluang Kerja Sama",
    "",
    "Baryssov bicara soal **AT&T** dan &quot;NATO&quot; di _Astana_.",
    "",
    "- satu",
    "- dua",
    "",
    "> Kami siap.",
  ].join("\n");

  it("renders Markdown to HTML", () => {
    const html = parseMarkdown(text, options).contentHtml;
    expect(html).toContain("<h2>Peluang Kerja Sama</h2>");
    expect(html).toContain("<strong>AT&amp;T</strong>");
    expect(html).toContain("<em>Astana</em>");
    expect(html).toContain("<li>satu</li>");
    expect(html).toContain("<blockquote>");
  });

  it("gives the text of headings, paragraphs and list items one per line, entities decoded", () => {
    expect(parseMarkdown(text, options).contentText).toBe(
      [
        "Peluang Kerja Sama",
        'Baryssov bicara soal AT&T dan "NATO" di Astana.',
        "satu",
        "dua",
        "Kami siap.",
      ].join("\n"),
    );
  });

  it("gives empty content for a document with front matter only", () => {
    const d = parseMarkdown("---\ntitle: Halo\n---\n", options);
    expect(d.contentHtml).toBe("");
    expect(d.contentText).toBe("");
  });
});

describe("parseMarkdown failures", () => {
  it("throws PARSE_MISSING_FIELD without a title", () => {
    const error = thrownBy(() => parseMarkdown("---\nauthor: Rina\n---\nIsi.", options));
    expect(isAppError(error, "PARSE_MISSING_FIELD")).toBe(true);
    expect((error as Error).message).toContain("title");
  });

  it("throws PARSE_MISSING_FIELD for a document without front matter", () => {
    expect(
      isAppError(
        thrownBy(() => parseMarkdown("# Halo\n\nIsi.", options)),
        "PARSE_MISSING_FIELD",
      ),
    ).toBe(true);
  });

  it("throws PARSE_FRONT_MATTER with the file line of a YAML error", () => {
    // Line 1 is the opening ---, so the repeated key is on line 4.
    const error = thrownBy(() =>
      parseMarkdown("---\ntitle: A\nauthor: B\ntitle: C\n---\nIsi.", options),
    );
    expect(isAppError(error, "PARSE_FRONT_MATTER")).toBe(true);
    expect((error as Error).message).toContain("line 4");
  });

  it("reports the line of an unclosed quote", () => {
    const error = thrownBy(() =>
      parseMarkdown('---\ntitle: Halo\nauthor: "Rina\ndate: 2024-05-04\n---\n', options),
    );
    expect(isAppError(error, "PARSE_FRONT_MATTER")).toBe(true);
    expect((error as Error).message).toMatch(/line \d+/);
  });

  it("throws PARSE_DATE naming a value that is not a date", () => {
    const error = thrownBy(() =>
      parseMarkdown("---\ntitle: Halo\ndate: kemarin sore\n---\n", options),
    );
    expect(isAppError(error, "PARSE_DATE")).toBe(true);
    expect((error as Error).message).toContain("kemarin sore");
  });

  it("throws PARSE_DATE for a number where a date belongs", () => {
    expect(
      isAppError(
        thrownBy(() => parseMarkdown("---\ntitle: Halo\ndate: 20240504\n---\n", options)),
        "PARSE_DATE",
      ),
    ).toBe(true);
  });

  it("throws PARSE_FRONT_MATTER when front matter is a list", () => {
    expect(
      isAppError(
        thrownBy(() => parseMarkdown("---\n- a\n- b\n---\n", options)),
        "PARSE_FRONT_MATTER",
      ),
    ).toBe(true);
  });

  it("throws PARSE_FRONT_MATTER for fields of the wrong shape", () => {
    const cases = [
      "---\ntitle: Halo\nauthor: [1, [2]]\n---\n",
      "---\ntitle: Halo\ntags: {a: 1}\n---\n",
      "---\ntitle: Halo\nurl: /relatif\n---\n",
      "---\ntitle: Halo\nimage: {alt: tanpa url}\n---\n",
      "---\ntitle: Halo\nimage: {url: 'https://a.id/x.jpg', width: lebar}\n---\n",
      "---\ntitle: {a: 1}\n---\n",
    ];
    for (const text of cases) {
      expect(
        isAppError(
          thrownBy(() => parseMarkdown(text, options)),
          "PARSE_FRONT_MATTER",
        ),
        text,
      ).toBe(true);
    }
  });

  it("never runs JavaScript front matter", () => {
    const globals = globalThis as { wartaFrontMatterRan?: boolean };
    const text = '---js\n{ title: (globalThis.wartaFrontMatterRan = true, "x") }\n---\nIsi.';
    expect(
      isAppError(
        thrownBy(() => parseMarkdown(text, options)),
        "PARSE_FRONT_MATTER",
      ),
    ).toBe(true);
    expect(globals.wartaFrontMatterRan).toBeUndefined();
  });
});
