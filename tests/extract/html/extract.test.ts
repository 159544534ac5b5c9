import { describe, expect, it } from "vitest";
import { loadIndonesianPages, loadScrapinghubPages } from "../../../scripts/bench/extraction.js";
import { comparePage } from "../../../scripts/bench/score.js";
import { extractHtmlPage, MAX_HTML_BYTES } from "../../../src/extract/html/index.js";
import { isAppError } from "../../../src/shared/errors.js";
import { thrownBy } from "../../helpers/errors.js";

const JAKARTA = { timezone: "Asia/Jakarta" };

/** A paragraph of running prose, long enough to count as article text. */
function prose(topic: string): string {
  return `Pemerintah kota mengumumkan rencana baru tentang ${topic} pada Senin pagi, dan warga menyambutnya dengan beragam tanggapan yang panjang serta beralasan.`;
}

/** A page with the given head and an article of `paragraphs` around the given extra body. */
function page(options: {
  head?: string;
  article?: string;
  around?: string;
  lang?: string;
}): string {
  const body = [1, 2, 3, 4].map((n) => `<p>${prose(`topik ${n}`)}</p>`).join("");
  return `<!DOCTYPE html><html${options.lang ? ` lang="${options.lang}"` : ""}><head>${options.head ?? "<title>Judul Berita</title>"}</head><body>
<nav><a href="/">Beranda</a><a href="/politik">Politik</a></nav>
<main><h1>Judul Berita</h1><article>${body}${options.article ?? ""}</article></main>
${options.around ?? ""}<footer>Hak cipta © 2024 Warta</footer></body></html>`;
}

function codeOf(fn: () => unknown): string | undefined {
  const error = thrownBy(fn);
  return isAppError(error) ? error.code : undefined;
}

describe("extractHtmlPage on the Indonesian news pages of the corpus", () => {
  const entries = loadIndonesianPages();
  const articles = entries.filter((entry) => entry.expected.kind === "article");
  const listings = entries.filter((entry) => entry.expected.kind === "listing");

  for (const { page: corpusPage, expected } of articles) {
    it(`reads ${corpusPage.id}: title, date, image and body as the site's scraper did`, () => {
      const draft = extractHtmlPage(corpusPage.html, { ...JAKARTA, url: expected.url });
      expect(draft.title).toBe(expected.title);
      // The expected dates come from the pages' printed times, some without seconds.
      expect(Math.abs((draft.published?.getTime() ?? 0) - (expected.date ?? 0))).toBeLessThan(
        60_000,
      );
      expect(draft.image?.url).toMatch(/^https?:\/\//);
      expect(draft.contentText).not.toMatch(/baca juga/i);
      const counts = comparePage(expected.content ?? "", draft.contentText);
      expect(counts.tp / (counts.tp + counts.fn)).toBeGreaterThan(0.6);
      expect(counts.tp / (counts.tp + counts.fp)).toBeGreaterThan(0.6);
    });
  }

  it("takes the lead image the page declares (og:image)", () => {
    for (const id of [
      "detik/detik-singlepage.html",
      "kompas/kompas-singlepage.html",
      "viva/viva-singlepage.html",
    ]) {
      const entry = articles.find((candidate) => candidate.page.id === id)!;
      const draft = extractHtmlPage(entry.page.html, { ...JAKARTA, url: entry.expected.url });
      expect(draft.image?.url).toBe(entry.expected.img);
    }
  });

  it("reads a time the metadata labels UTC but the page prints in WIB as WIB (detik)", () => {
    const entry = articles.find(
      (candidate) => candidate.page.id === "detik/detik-singlepage.html",
    )!;
    const draft = extractHtmlPage(entry.page.html, JAKARTA);
    expect(draft.published?.toISOString()).toBe("2015-11-05T03:08:58.000Z");
  });

  it("finds the reporter and the language, and leaves out the publisher as author", () => {
    const byId = (id: string) => articles.find((candidate) => candidate.page.id === id)!.page.html;
    expect(extractHtmlPage(byId("antara/antara-singlepage.html"), JAKARTA).author).toBe(
      "Nur Imansyah",
    );
    const liputan = extractHtmlPage(byId("liputan6/liputan6-singlepage.html"), JAKARTA);
    expect(liputan.author).toBe("Corry Anestia");
    // The page says lang="in", the withdrawn code for Indonesian.
    expect(liputan.language).toBe("id");
    expect(extractHtmlPage(byId("kompas/kompas-singlepage.html"), JAKARTA).author).toBeUndefined();
  });

  for (const { page: corpusPage } of listings) {
    it(`refuses ${corpusPage.id}, a listing or a feed, with EXTRACT_NOT_ARTICLE`, () => {
      expect(codeOf(() => extractHtmlPage(corpusPage.html, JAKARTA))).toBe("EXTRACT_NOT_ARTICLE");
    });
  }
});

describe("extractHtmlPage on English pages of the benchmark", () => {
  const pages = loadScrapinghubPages();
  const byPrefix = (prefix: string) => pages.find((candidate) => candidate.id.startsWith(prefix))!;

  it("takes title, author, date and image from JSON-LD (WSJ)", () => {
    const wsj = byPrefix("042bb7b5");
    const draft = extractHtmlPage(wsj.html, { timezone: "UTC", url: wsj.url });
    expect(draft.title).toBe(
      "Google Stadia, Microsoft xCloud, Apple Arcade: So Many Ways to Play…and Pay",
    );
    expect(draft.author).toBe("Sarah E. Needleman");
    expect(draft.published?.toISOString()).toBe("2019-11-19T13:03:00.000Z");
    expect(draft.image?.url).toMatch(/^https:\/\/images\.wsj\.net\//);
    expect(draft.language).toBe("en");
  });

  it("keeps a data table's rows as lines of text (NASCAR standings)", () => {
    const standings = byPrefix("11ea381a");
    const draft = extractHtmlPage(standings.html, { timezone: "UTC", url: standings.url });
    expect(draft.contentText).toContain("1 Kyle Busch 5040 5 1 17 27");
  });

  it('keeps the paragraphs after a mid-article "Read More" button (CNN)', () => {
    const cnn = byPrefix("d605bdef");
    const draft = extractHtmlPage(cnn.html, { timezone: "UTC", url: cnn.url });
    expect(draft.contentText).toContain("US stock futures were last trading slightly positive");
  });
});

describe("extractHtmlPage reads the page's own metadata", () => {
  it("reads a JSON-LD NewsArticle inside @graph, with an author given by @id", () => {
    const ld = {
      "@context": "https://schema.org",
      "@graph": [
        { "@type": "WebSite", "@id": "https://warta.example/#site", name: "Warta" },
        { "@type": "Person", "@id": "https://warta.example/#ani", name: "Ani Lestari" },
        {
          "@type": ["NewsArticle"],
          headline: "Jembatan &amp; Jalan Baru Dibuka",
          datePublished: "2024-05-04T10:15:00+07:00",
          dateModified: "2024-05-05T08:00:00+07:00",
          author: { "@id": "https://warta.example/#ani" },
          image: { "@type": "ImageObject", url: "/img/jembatan.jpg", width: 1200, height: 675 },
          articleSection: "Kota",
          keywords: "jembatan, jalan",
          description: "Jembatan baru dibuka untuk umum.",
        },
      ],
    };
    const draft = extractHtmlPage(
      page({ head: `<script type="application/ld+json">${JSON.stringify(ld)}</script>` }),
      { ...JAKARTA, url: "https://warta.example/kota/jembatan" },
    );
    expect(draft.title).toBe("Jembatan & Jalan Baru Dibuka");
    expect(draft.published?.toISOString()).toBe("2024-05-04T03:15:00.000Z");
    expect(draft.updated?.toISOString()).toBe("2024-05-05T01:00:00.000Z");
    expect(draft.author).toBe("Ani Lestari");
    expect(draft.image).toEqual({
      url: "https://warta.example/img/jembatan.jpg",
      width: 1200,
      height: 675,
    });
    expect(draft.categories).toEqual(["Kota"]);
    expect(draft.tags).toEqual(["jembatan", "jalan"]);
    expect(draft.summary).toBe("Jembatan baru dibuka untuk umum.");
  });

  it("falls back to OpenGraph, article:* and <meta name> tags", () => {
    const head = [
      '<meta property="og:title" content="Judul Berita - Warta Kota">',
      '<meta property="og:site_name" content="Warta Kota">',
      '<meta property="og:image" content="https://cdn.warta.example/a.jpg">',
      '<meta property="og:image:width" content="800"><meta property="og:image:height" content="450">',
      '<meta property="article:published_time" content="2024-05-04T10:15:00+07:00">',
      '<meta property="article:modified_time" content="2024-05-04T12:00:00+07:00">',
      '<meta property="article:author" content="https://facebook.com/wartakota">',
      '<meta name="author" content="Budi Santoso">',
      '<meta name="description" content="Ringkasan berita.">',
      '<link rel="canonical" href="/kota/judul-berita">',
    ].join("");
    const draft = extractHtmlPage(page({ head, lang: "id-ID" }), {
      ...JAKARTA,
      url: "https://warta.example/kota/judul-berita?utm_source=x",
    });
    expect(draft.title).toBe("Judul Berita");
    expect(draft.url).toBe("https://warta.example/kota/judul-berita");
    expect(draft.published?.toISOString()).toBe("2024-05-04T03:15:00.000Z");
    expect(draft.updated?.toISOString()).toBe("2024-05-04T05:00:00.000Z");
    expect(draft.author).toBe("Budi Santoso");
    expect(draft.image).toEqual({
      url: "https://cdn.warta.example/a.jpg",
      width: 800,
      height: 450,
    });
    expect(draft.language).toBe("id");
    expect(draft.summary).toBe("Ringkasan berita.");
  });

  it("reads an Indonesian date printed under the headline in the site's zone", () => {
    const html = page({ article: "" }).replace(
      "<h1>Judul Berita</h1>",
      '<h1>Judul Berita</h1><div class="meta">Sabtu, 4 Mei 2024 10:15 WIB</div>',
    );
    const draft = extractHtmlPage(html, JAKARTA);
    expect(draft.published?.toISOString()).toBe("2024-05-04T03:15:00.000Z");
    expect(draft.contentText).not.toContain("Mei 2024");
  });

  it("strips the site's name from a <title> when the page has no matching <h1>", () => {
    const html = page({ head: "<title>Banjir Surut di Jambi | Warta Kota</title>" }).replace(
      "<h1>Judul Berita</h1>",
      "",
    );
    expect(extractHtmlPage(html, { ...JAKARTA, url: "https://wartakota.example/a" }).title).toBe(
      "Banjir Surut di Jambi",
    );
  });

  it("uses the configured language when the page declares none", () => {
    expect(extractHtmlPage(page({}), { ...JAKARTA, language: "id" }).language).toBe("id");
  });
});

describe("extractHtmlPage removes boilerplate", () => {
  it("drops related-article lines in every common form", () => {
    const lines = [
      "Baca juga: Harga Cabai Naik",
      "Baca Juga : Banjir di Kota",
      "BACA JUGA",
      "Lihat juga: Video Banjir",
      "Simak juga: Klasemen Liga",
      "Read also: Floods in the city",
      "Also read: More floods",
      "ADVERTISEMENT",
      "- Advertisement -",
      "Scroll to continue with content",
    ];
    const article = lines.map((line) => `<p>${line}</p>`).join("");
    const draft = extractHtmlPage(page({ article }), JAKARTA);
    for (const line of lines) expect(draft.contentText).not.toContain(line);
    expect(draft.contentHtml).not.toMatch(/baca juga/i);
    expect(draft.contentText.split("\n")).toHaveLength(4);
  });

  it('drops a "Baca juga" line inside a paragraph of <br>-separated lines', () => {
    const article = `<p>${prose("pasar")}<br><br>Baca juga: <a href="/x">Harga Cabai</a><br><br>${prose("jalan")}</p>`;
    const draft = extractHtmlPage(page({ article }), JAKARTA);
    expect(draft.contentText).not.toMatch(/baca juga/i);
    expect(draft.contentText).toContain(prose("jalan"));
  });

  it("drops share bars, comment forms, newsletter boxes, ads and related lists", () => {
    const article = [
      '<div class="share-buttons"><a href="#">Facebook</a><a href="#">Twitter</a><a href="#">WhatsApp</a></div>',
      '<div class="newsletter-signup"><p>Dapatkan berita pilihan setiap pagi langsung di kotak masuk Anda, gratis tanpa biaya apa pun.</p></div>',
      '<div class="ad-slot">Iklan mobil murah hanya hari ini dengan cicilan ringan sekali untuk semua warga.</div>',
      '<h3>Berita Terkait</h3><ul><li><a href="/a">Banjir surut di Jambi setelah hujan reda</a></li><li><a href="/b">Harga beras turun menjelang panen raya</a></li></ul>',
    ].join("");
    const around =
      '<section id="comments"><h3>Tinggalkan Komentar</h3><form action="/comment"><textarea></textarea><button>Kirim</button></form></section>';
    const draft = extractHtmlPage(page({ article, around }), JAKARTA);
    expect(draft.contentText.split("\n")).toEqual([1, 2, 3, 4].map((n) => prose(`topik ${n}`)));
    expect(draft.contentHtml).not.toMatch(/Facebook|Iklan|kotak masuk|Banjir surut|Komentar/);
  });

  it("keeps photo captions in the HTML as figure captions but out of the text", () => {
    const article =
      '<figure><img src="/foto/banjir.jpg" alt="Banjir"><figcaption>Warga melintasi banjir. (ANTARA FOTO/Budi)</figcaption></figure>';
    const draft = extractHtmlPage(page({ article }), {
      ...JAKARTA,
      url: "https://warta.example/a/b",
    });
    expect(draft.contentHtml).toContain("<figcaption");
    expect(draft.contentHtml).toContain("Warga melintasi banjir.");
    expect(draft.contentHtml).toContain('src="https://warta.example/foto/banjir.jpg"');
    expect(draft.contentText).not.toContain("Warga melintasi banjir");
  });

  it("makes links and lazy-loaded images absolute against the page URL", () => {
    const article =
      '<p>Menurut <a href="../sumber">laporan resmi</a> yang dirilis kemarin, anggaran kota naik cukup tajam tahun ini.</p>' +
      '<p><img src="data:image/gif;base64,R0lGOD" data-src="/img/grafik.png" alt="Grafik"></p>';
    const draft = extractHtmlPage(page({ article }), {
      ...JAKARTA,
      url: "https://warta.example/kota/berita/",
    });
    expect(draft.contentHtml).toContain('href="https://warta.example/kota/sumber"');
    expect(draft.contentHtml).toContain('src="https://warta.example/img/grafik.png"');
  });
});

describe("extractHtmlPage applies the source's rules", () => {
  it("drops elements matching rules.dropSelectors before extraction", () => {
    const article = `<div class="kotak-khusus"><p>${prose("kabar khusus")}</p></div>`;
    const withoutRules = extractHtmlPage(page({ article }), JAKARTA);
    expect(withoutRules.contentText).toContain("kabar khusus");
    const draft = extractHtmlPage(page({ article }), {
      ...JAKARTA,
      rules: { dropSelectors: [".kotak-khusus"], dropLines: [] },
    });
    expect(draft.contentText).not.toContain("kabar khusus");
  });

  it("drops paragraphs matching rules.dropLines", () => {
    const article = "<p>Simak berita menarik lainnya di kanal kami setiap hari tanpa henti.</p>";
    const draft = extractHtmlPage(page({ article }), {
      ...JAKARTA,
      rules: { dropSelectors: [], dropLines: [/^simak berita menarik/i] },
    });
    expect(draft.contentText).not.toContain("Simak berita");
    expect(draft.contentHtml).not.toContain("Simak berita");
  });

  it("refuses an invalid selector with CONFIG_INVALID", () => {
    expect(
      codeOf(() =>
        extractHtmlPage(page({}), {
          ...JAKARTA,
          rules: { dropSelectors: ["div[["], dropLines: [] },
        }),
      ),
    ).toBe("CONFIG_INVALID");
  });
});

describe("extractHtmlPage limits", () => {
  it("survives a page of 10,000 and 100,000 nested elements", () => {
    for (const depth of [10_000, 100_000]) {
      const html = `<html><head><title>Judul Berita</title></head><body>${"<div>".repeat(depth)}${[1, 2, 3].map((n) => `<p>${prose(`dalam ${n}`)}</p>`).join("")}${"</div>".repeat(depth)}</body></html>`;
      const draft = extractHtmlPage(html, JAKARTA);
      expect(draft.contentText).toContain(prose("dalam 3"));
    }
  });

  it("survives deeply nested inline elements and unclosed tags", () => {
    const html = `<html><body><h1>Judul Berita</h1>${"<span><b><i>".repeat(5_000)}${[1, 2, 3].map((n) => `<p>${prose(`miring ${n}`)}`).join("")}</body></html>`;
    expect(extractHtmlPage(html, JAKARTA).contentText).toContain(prose("miring 1"));
  });

  it("refuses a page with almost no prose with EXTRACT_NOT_ARTICLE and says why", () => {
    const html =
      "<html><head><title>Kontak</title></head><body><h1>Kontak</h1><p>Telepon: 0741-123456</p></body></html>";
    const error = thrownBy(() => extractHtmlPage(html, JAKARTA));
    expect(isAppError(error, "EXTRACT_NOT_ARTICLE")).toBe(true);
    expect((error as Error).message).toMatch(/no article found/);
  });

  it("refuses an index page of dated headlines with EXTRACT_NOT_ARTICLE", () => {
    const items = Array.from(
      { length: 12 },
      (_, i) =>
        `<div class="item"><h2><a href="/berita/${i}">Judul berita nomor ${i} yang cukup panjang untuk tautan</a></h2><div>Selasa, 23 Februari 2016 | 14:${String(10 + i)} WIB</div><p>${prose(`ringkasan ${i}`)}</p></div>`,
    ).join("");
    const html = `<html><head><title>Indeks Berita</title></head><body><h1>Indeks Berita</h1><div class="list">${items}</div></body></html>`;
    expect(codeOf(() => extractHtmlPage(html, JAKARTA))).toBe("EXTRACT_NOT_ARTICLE");
  });

  it("refuses a feed handed over as a page with EXTRACT_NOT_ARTICLE", () => {
    const feed =
      '<?xml version="1.0"?>\n<!-- feed -->\n<rss version="2.0"><channel><title>x</title></channel></rss>';
    expect(codeOf(() => extractHtmlPage(feed, JAKARTA))).toBe("EXTRACT_NOT_ARTICLE");
  });

  it("refuses more than 5 MB of HTML with PARSE_TOO_LARGE", () => {
    const html = page({ article: `<!-- ${"x".repeat(MAX_HTML_BYTES)} -->` });
    const error = thrownBy(() => extractHtmlPage(html, JAKARTA));
    expect(isAppError(error, "PARSE_TOO_LARGE")).toBe(true);
    expect((error as Error).message).toMatch(/5\.0 MB limit/);
  });
});
