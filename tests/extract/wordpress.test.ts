import { describe, expect, it } from "vitest";
import { wordpressPostToDraft } from "../../src/extract/wordpress.js";
import { isAppError } from "../../src/shared/errors.js";
import { thrownBy } from "../helpers/errors.js";

/** A post shaped like /wp-json/wp/v2/posts?_embed returns it (trimmed to the fields used). */
function post(overrides: Record<string, unknown> = {}) {
  return {
    id: 4821,
    date: "2024-05-04T10:15:00",
    date_gmt: "2024-05-04T03:15:00",
    modified: "2024-05-04T12:00:00",
    modified_gmt: "2024-05-04T05:00:00",
    slug: "kazakhstan-incar-kerja-sama-militer-dengan-turki",
    link: "https://oerban.com/kazakhstan-incar-kerja-sama-militer-dengan-turki/",
    title: { rendered: "Kazakhstan Incar Kerja Sama Militer dengan Turki &#8211; Oerban" },
    content: {
      rendered:
        "<p>Astana, Oerban.com &#8211; Kepala Asosiasi&hellip;</p>\n<h2>Peluang</h2>\n<p>Kedua.</p>",
    },
    excerpt: { rendered: "<p>Kepala Asosiasi Perusahaan Industri Kazakhstan [&hellip;]</p>" },
    _embedded: {
      author: [{ id: 3, name: "Redaksi Oerban" }],
      "wp:featuredmedia": [
        {
          source_url: "https://oerban.com/wp-content/uploads/2024/05/baryssov.jpg",
          alt_text: "Aibek Baryssov",
          mime_type: "image/jpeg",
          media_details: { width: 1200, height: 800, filesize: 183_221 },
        },
      ],
      "wp:term": [
        [
          { taxonomy: "category", name: "Internasional" },
          { taxonomy: "category", name: "Pertahanan &amp; Keamanan" },
        ],
        [{ taxonomy: "post_tag", name: "Turki" }],
      ],
    },
    ...overrides,
  };
}

describe("wordpressPostToDraft", () => {
  it("maps the fields of a REST API post", () => {
    const draft = wordpressPostToDraft(post());
    expect(draft.id).toBe("wp-post-4821");
    expect(draft.title).toBe("Kazakhstan Incar Kerja Sama Militer dengan Turki – Oerban");
    expect(draft.url).toBe("https://oerban.com/kazakhstan-incar-kerja-sama-militer-dengan-turki/");
    expect(draft.published?.toISOString()).toBe("2024-05-04T03:15:00.000Z");
    expect(draft.updated?.toISOString()).toBe("2024-05-04T05:00:00.000Z");
    expect(draft.author).toBe("Redaksi Oerban");
    expect(draft.categories).toEqual(["Internasional", "Pertahanan & Keamanan"]);
    expect(draft.tags).toEqual(["Turki"]);
    expect(draft.summary).toBe("Kepala Asosiasi Perusahaan Industri Kazakhstan […]");
    expect(draft.contentText.split("\n")).toEqual([
      "Astana, Oerban.com – Kepala Asosiasi…",
      "Peluang",
      "Kedua.",
    ]);
    expect(draft.image).toEqual({
      url: "https://oerban.com/wp-content/uploads/2024/05/baryssov.jpg",
      alt: "Aibek Baryssov",
      type: "image/jpeg",
      width: 1200,
      height: 800,
      length: 183_221,
    });
  });

  it("reads a post without embedded data", () => {
    const draft = wordpressPostToDraft(post({ _embedded: undefined }));
    expect(draft.categories).toEqual([]);
    expect(draft.author).toBeUndefined();
    expect(draft.image).toBeUndefined();
  });

  it("rejects a post without a title", () => {
    const error = thrownBy(() => wordpressPostToDraft(post({ title: { rendered: "" } })));
    expect(isAppError(error, "PARSE_MISSING_FIELD")).toBe(true);
  });
});
