import { describe, expect, it } from "vitest";
import type { FeedEntry, ParsedFeed } from "../../../src/domain/index.js";
import { feedEntryToDraft, isExcerptOnly, parseFeed } from "../../../src/extract/index.js";

function feedOf(entries: FeedEntry[], language?: string): ParsedFeed {
  return { format: "rss20", title: "Berita", language, entries };
}

const LONG_PARAGRAPHS = [
  "Pemerintah mengumumkan kebijakan baru tentang subsidi energi yang akan berlaku mulai bulan depan di seluruh provinsi.",
  "Menteri Keuangan menjelaskan bahwa anggaran tambahan sudah disiapkan, dan pengawasan akan dilakukan bersama pemerintah daerah.",
  "Para ekonom menilai langkah ini tepat, meskipun sebagian mengingatkan risiko inflasi bila harga komoditas dunia naik lagi.",
  "Di Makassar, pedagang pasar menyambut baik kebijakan itu karena biaya angkut barang diperkirakan turun dalam beberapa pekan.",
  "Kebijakan ini akan dievaluasi setiap tiga bulan, dan hasilnya diumumkan kepada publik melalui laman resmi kementerian.",
];

describe("feedEntryToDraft", () => {
  it("maps every field of an entry parsed from a feed", () => {
    const feed = parseFeed(
      Buffer.from(`<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
        <channel><title>Berita</title><language>id</language>
          <item>
            <title>Subsidi Energi Diperluas</title>
            <link>https://berita.example/ekonomi/subsidi</link>
            <guid>https://berita.example/?p=991</guid>
            <pubDate>Sabtu, 4 Mei 2024 10:15 WIB</pubDate>
            <author>redaksi@berita.example (Andi Wijaya)</author>
            <category>Ekonomi</category>
            <description>&lt;p&gt;Pemerintah &lt;b&gt;memperluas&lt;/b&gt; subsidi.&lt;/p&gt;</description>
            <content:encoded><![CDATA[<h2>Kebijakan</h2><p>Paragraf satu.</p><p>Paragraf dua.</p>]]></content:encoded>
            <enclosure url="https://cdn.example/foto.jpg" type="image/jpeg" length="1234"/>
          </item>
        </channel></rss>`),
      { url: "https://berita.example/rss", timezone: "Asia/Jakarta" },
    );
    expect(feedEntryToDraft(feed.entries[0]!, feed)).toEqual({
      id: "https://berita.example/?p=991",
      title: "Subsidi Energi Diperluas",
      url: "https://berita.example/ekonomi/subsidi",
      published: new Date("2024-05-04T03:15:00Z"),
      author: "Andi Wijaya",
      categories: ["Ekonomi"],
      tags: [],
      language: "id",
      summary: "Pemerintah memperluas subsidi.",
      contentHtml: "<h2>Kebijakan</h2><p>Paragraf satu.</p><p>Paragraf dua.</p>",
      contentText: "Kebijakan\nParagraf satu.\nParagraf dua.",
      image: { url: "https://cdn.example/foto.jpg", type: "image/jpeg", length: 1234 },
    });
  });

  it("falls back to the summary for the body, and to the update time for publication", () => {
    const entry: FeedEntry = {
      title: "Judul",
      summaryHtml: "<p>Ringkasan &amp; isi</p>",
      updated: new Date("2024-05-04T03:15:00Z"),
      categories: [],
      language: "jv",
    };
    const draft = feedEntryToDraft(entry, feedOf([entry], "id"));
    expect(draft).toMatchObject({
      contentHtml: "<p>Ringkasan &amp; isi</p>",
      contentText: "Ringkasan & isi",
      summary: "Ringkasan & isi",
      published: new Date("2024-05-04T03:15:00Z"),
      updated: new Date("2024-05-04T03:15:00Z"),
      language: "jv",
    });
    expect(draft.id).toBeUndefined();
  });

  it("takes the feed's language and makes a title from the text when there is none", () => {
    const entry: FeedEntry = {
      title: "",
      contentHtml: `<p>${LONG_PARAGRAPHS[0]}</p>`,
      categories: [],
    };
    const draft = feedEntryToDraft(entry, feedOf([entry], "id"));
    expect(draft.language).toBe("id");
    expect(draft.title).toBe(
      "Pemerintah mengumumkan kebijakan baru tentang subsidi energi yang akan berlaku mulai bulan depan di…",
    );
  });
});

describe("isExcerptOnly", () => {
  const entry = (fields: Partial<FeedEntry>): FeedEntry => ({
    title: "T",
    categories: [],
    ...fields,
  });
  const full = LONG_PARAGRAPHS.map((p) => `<p>${p}</p>`).join("");

  it("says yes when there is no body at all", () => {
    expect(isExcerptOnly(entry({}))).toBe(true);
    expect(isExcerptOnly(entry({ contentHtml: "<p> </p>" }))).toBe(true);
  });

  it("says yes for a short body that ends like a teaser", () => {
    for (const ending of [
      "…",
      "...",
      "[…]",
      "[...]",
      "Read more »",
      "Baca selengkapnya",
      "Selengkapnya >>",
    ]) {
      const html = `<p>${LONG_PARAGRAPHS[0]} ${ending}</p>`;
      expect(isExcerptOnly(entry({ contentHtml: html })), ending).toBe(true);
    }
  });

  it("sees through WordPress's feed footer", () => {
    const html = `<p>${LONG_PARAGRAPHS[0]} [&#8230;]</p><p>The post <a href="https://blog.example/x">Judul</a> appeared first on <a href="https://blog.example">Blog</a>.</p>`;
    expect(isExcerptOnly(entry({ summaryHtml: html }))).toBe(true);
  });

  it("says yes for a short summary without content", () => {
    expect(isExcerptOnly(entry({ summaryHtml: `<p>${LONG_PARAGRAPHS[0]}</p>` }))).toBe(true);
  });

  it("says no for full content, even when it ends with an ellipsis", () => {
    expect(isExcerptOnly(entry({ contentHtml: full }))).toBe(false);
    expect(isExcerptOnly(entry({ contentHtml: `${full}<p>Bersambung…</p>` }))).toBe(false);
    expect(isExcerptOnly(entry({ contentHtml: `<p>${LONG_PARAGRAPHS[0]}</p>` }))).toBe(false);
  });

  it("says no for a long description of several paragraphs", () => {
    expect(full.length).toBeGreaterThan(500);
    expect(isExcerptOnly(entry({ summaryHtml: full }))).toBe(false);
  });
});
