import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import type { ParsedFeed } from "../../../src/domain/index.js";
import { type ParseFeedOptions, parseFeed } from "../../../src/extract/feed/index.js";
import { isAppError } from "../../../src/shared/errors.js";
import { thrownBy } from "../../helpers/errors.js";

const FEED_URL = "https://berita.example/rss/nasional.xml";

function parse(source: string | Buffer, options: Partial<ParseFeedOptions> = {}): ParsedFeed {
  const body = typeof source === "string" ? Buffer.from(source) : source;
  return parseFeed(body, { url: FEED_URL, timezone: "Asia/Jakarta", ...options });
}

function rss(items: string, channel = "<title>Berita Nasional</title>"): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:media="http://search.yahoo.com/mrss/" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">
<channel>${channel}${items}</channel>
</rss>`;
}

describe("parseFeed: RSS", () => {
  it("reads an Indonesian RSS 2.0 feed with WIB dates", () => {
    const feed = parse(
      rss(
        `<item>
          <title>Presiden Resmikan Bendungan Baru</title>
          <link>https://berita.example/nasional/2024/05/04/bendungan</link>
          <guid isPermaLink="false">berita-12345</guid>
          <pubDate>Sabtu, 4 Mei 2024 10:15 WIB</pubDate>
          <dc:creator>Andi Wijaya</dc:creator>
          <category>Nasional</category>
          <category>Infrastruktur</category>
          <description>Bendungan itu mengairi 10.000 hektare sawah.</description>
        </item>`,
        "<title>Berita Nasional</title><link>https://berita.example/</link><language>id-ID</language>",
      ),
    );
    expect(feed).toMatchObject({
      format: "rss20",
      title: "Berita Nasional",
      link: "https://berita.example/",
      language: "id-ID",
    });
    expect(feed.entries).toEqual([
      {
        guid: "berita-12345",
        url: "https://berita.example/nasional/2024/05/04/bendungan",
        title: "Presiden Resmikan Bendungan Baru",
        summaryHtml: "Bendungan itu mengairi 10.000 hektare sawah.",
        published: new Date("2024-05-04T03:15:00Z"),
        author: "Andi Wijaya",
        categories: ["Nasional", "Infrastruktur"],
      },
    ]);
  });

  it("reads WITA and WIT times, and zone-less times in the configured zone", () => {
    const feed = parse(
      rss(`
        <item><title>A</title><pubDate>Senin, 6 Mei 2024 08:00 WITA</pubDate></item>
        <item><title>B</title><pubDate>Senin, 6 Mei 2024 08:00 WIT</pubDate></item>
        <item><title>C</title><pubDate>2024-05-06 08:00</pubDate></item>
        <item><title>D</title><pubDate>Mon, 06 May 24 08:00:00 +0700</pubDate></item>
        <item><title>E</title><pubDate>kemarin sore</pubDate></item>`),
    );
    expect(feed.entries.map((e) => e.published?.toISOString())).toEqual([
      "2024-05-06T00:00:00.000Z",
      "2024-05-05T23:00:00.000Z",
      "2024-05-06T01:00:00.000Z",
      "2024-05-06T01:00:00.000Z",
      undefined,
    ]);
  });

  it("decodes HTML named entities inside XML", () => {
    const feed = parse(
      rss(
        "<item><title>Caf&eacute; &amp; Bar&nbsp;&hellip; &copy; 2024</title><description>Harga &euro;5 &mdash; murah</description></item>",
      ),
    );
    expect(feed.entries[0]?.title).toBe("Café & Bar … © 2024");
    expect(feed.entries[0]?.summaryHtml).toBe("Harga €5 — murah");
  });

  it("reads CDATA sections as the HTML they hold", () => {
    const feed = parse(
      rss(
        "<item><title><![CDATA[Ekspor & Impor]]></title><content:encoded><![CDATA[<p>Isi <b>lengkap</b> &amp; rinci</p>]]></content:encoded></item>",
      ),
    );
    expect(feed.entries[0]?.title).toBe("Ekspor & Impor");
    expect(feed.entries[0]?.contentHtml).toBe("<p>Isi <b>lengkap</b> &amp; rinci</p>");
  });

  it("undoes double escaping in titles and descriptions", () => {
    const feed = parse(
      rss(
        "<item><title>AT&amp;amp;T &amp;amp; Telkom</title><description>&amp;lt;p&amp;gt;Halo &amp;amp;amp; selamat&amp;lt;/p&amp;gt;</description></item>",
      ),
    );
    expect(feed.entries[0]?.title).toBe("AT&T & Telkom");
    // "&amp;amp;amp;" is an "&amp;" of the original HTML, escaped twice.
    expect(feed.entries[0]?.summaryHtml).toBe("<p>Halo &amp; selamat</p>");
  });

  it("keeps an ampersand in a link that ends before the closing tag", () => {
    const feed = parse(
      rss("<item><title>T</title><link>https://berita.example/?a=1&b=2&c</link></item>"),
    );
    expect(feed.entries[0]?.url).toBe("https://berita.example/?a=1&b=2&c");
  });

  it("resolves relative links against the feed URL, and content against the item link", () => {
    const feed = parse(
      rss(
        '<item><title>T</title><link>/nasional/artikel-1</link><description><![CDATA[<p><img src="foto.jpg" srcset="kecil.jpg 1x, /besar.jpg 2x"> <a href="https://lain.example/x">x</a></p>]]></description></item>',
      ),
    );
    expect(feed.entries[0]?.url).toBe("https://berita.example/nasional/artikel-1");
    expect(feed.entries[0]?.summaryHtml).toBe(
      '<p><img src="https://berita.example/nasional/foto.jpg" srcset="https://berita.example/nasional/kecil.jpg 1x, https://berita.example/besar.jpg 2x"> <a href="https://lain.example/x">x</a></p>',
    );
  });

  it("prefers FeedBurner's original link, then <link>, then a permalink guid", () => {
    const feed = parse(
      rss(`<item><title>A</title><link>https://feeds.example/~r/x/1</link><feedburner:origLink xmlns:feedburner="http://rssnamespace.org/feedburner/ext/1.0">https://berita.example/a</feedburner:origLink></item>
        <item><title>B</title><guid>https://berita.example/b</guid></item>
        <item><title>C</title><guid isPermaLink="false">https://berita.example/c</guid></item>`),
    );
    expect(feed.entries.map((e) => e.url)).toEqual([
      "https://berita.example/a",
      "https://berita.example/b",
      undefined,
    ]);
  });

  it("takes the author's name from the forms RSS <author> is written in", () => {
    const feed = parse(
      rss(`<item><title>A</title><author>redaksi@berita.example (Budi Santoso)</author></item>
        <item><title>B</title><author>Siti Rahma (siti@berita.example)</author></item>
        <item><title>C</title><author>Dewi Lestari &lt;dewi@berita.example&gt;</author></item>
        <item><title>D</title><dc:creator>Andi</dc:creator><dc:creator>Rina</dc:creator></item>
        <item><title>E</title><itunes:author>Tim Podcast</itunes:author></item>`),
    );
    expect(feed.entries.map((e) => e.author)).toEqual([
      "Budi Santoso",
      "Siti Rahma",
      "Dewi Lestari",
      "Andi, Rina",
      "Tim Podcast",
    ]);
  });

  it("picks the widest Media RSS image, then a thumbnail, an image enclosure, an iTunes image", () => {
    const feed = parse(
      rss(`<item><title>A</title>
          <media:content url="/img/kecil.jpg" medium="image" width="140" height="84"/>
          <media:content url="/img/besar.jpg" medium="image" width="1200" height="720" type="image/jpeg"><media:description>Bendungan dari udara</media:description></media:content>
          <media:content url="/video.mp4" medium="video" width="1920"/></item>
        <item><title>B</title><media:group><media:thumbnail url="https://cdn.example/t.jpg" width="200"/></media:group></item>
        <item><title>C</title><enclosure url="https://cdn.example/audio.mp3" type="audio/mpeg" length="1"/><enclosure url="https://cdn.example/foto.png" type="image/png" length="2048"/></item>
        <item><title>D</title><itunes:image href="https://cdn.example/sampul.jpg"/></item>`),
    );
    expect(feed.entries.map((e) => e.image)).toEqual([
      {
        url: "https://berita.example/img/besar.jpg",
        type: "image/jpeg",
        width: 1200,
        height: 720,
        alt: "Bendungan dari udara",
      },
      { url: "https://cdn.example/t.jpg", width: 200 },
      { url: "https://cdn.example/foto.png", type: "image/png", length: 2048 },
      { url: "https://cdn.example/sampul.jpg" },
    ]);
  });

  it("reads the language from <language>, dc:language and xml:lang", () => {
    const feed = parse(
      rss(
        '<item xml:lang="EN_us"><title>A</title></item><item><title>B</title><dc:language>jv</dc:language></item><item><title>C</title></item>',
        "<title>T</title><dc:language>id</dc:language>",
      ),
    );
    expect(feed.language).toBe("id");
    expect(feed.entries.map((e) => e.language)).toEqual(["en-US", "jv", undefined]);
  });

  it("reads windows-1252 bytes declared as UTF-8", () => {
    const body = Buffer.concat([
      Buffer.from(rss("<item><title>").split("<item><title>")[0]!),
      Buffer.from("<item><title>"),
      Buffer.from([
        0x93, 0x4b, 0x6f, 0x70, 0x69, 0x94, 0x20, 0x64, 0x61, 0x6e, 0x20, 0x63, 0x61, 0x66, 0xe9,
      ]),
      Buffer.from("</title></item></channel></rss>"),
    ]);
    expect(parse(body).entries[0]?.title).toBe("\u201cKopi\u201d dan café");
  });

  it("reads UTF-16 with a byte order mark", () => {
    const source = rss("<item><title>Jakarta — 東京</title></item>").replace("UTF-8", "UTF-16");
    const body = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(source, "utf16le")]);
    expect(parse(body).entries[0]?.title).toBe("Jakarta — 東京");
  });

  it("maps C1 control characters from &#146; to windows-1252 punctuation", () => {
    const feed = parse(rss("<item><title>Jum&#146;at</title></item>"));
    expect(feed.entries[0]?.title).toBe("Jum\u2019at");
  });

  it("detects RSS 0.90, 0.91, 0.92 and 1.0 (RDF)", () => {
    const rdf = (ns: string) =>
      `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="${ns}" xmlns:dc="http://purl.org/dc/elements/1.1/">
        <channel rdf:about="https://berita.example/"><title>RDF</title><link>https://berita.example/</link></channel>
        <item rdf:about="https://berita.example/1"><title>Satu</title><link>https://berita.example/1</link><dc:date>2024-05-04T10:15:00+07:00</dc:date></item>
      </rdf:RDF>`;
    const rss10 = parse(rdf("http://purl.org/rss/1.0/"));
    expect(rss10.format).toBe("rss10");
    expect(rss10.entries[0]).toMatchObject({
      guid: "https://berita.example/1",
      url: "https://berita.example/1",
      title: "Satu",
      published: new Date("2024-05-04T03:15:00Z"),
    });
    expect(parse(rdf("http://my.netscape.com/rdf/simple/0.9/")).format).toBe("rss090");
    const version = (v: string) =>
      parse(
        `<rss version="${v}"><channel><title>T</title><item><title>I</title></item></channel></rss>`,
      );
    expect(version("0.91").format).toBe("rss091");
    expect(version("0.92").format).toBe("rss092");
    expect(version("2.0").format).toBe("rss20");
  });
});

describe("parseFeed: Atom", () => {
  it("reads Atom 1.0, preferring the alternate HTML link and resolving nested xml:base", () => {
    const feed = parse(`<?xml version="1.0" encoding="utf-8"?>
      <feed xmlns="http://www.w3.org/2005/Atom" xml:lang="id" xml:base="https://berita.example/blog/">
        <title type="html">Blog &lt;b&gt;Redaksi&lt;/b&gt;</title>
        <link rel="self" href="https://berita.example/atom.xml"/>
        <link href="/"/>
        <author><name>Redaksi</name></author>
        <entry xml:base="2024/">
          <id>tag:berita.example,2024:1</id>
          <title>Pos Pertama</title>
          <link rel="alternate" type="application/pdf" href="pos.pdf"/>
          <link rel="alternate" type="text/html" href="pos.html"/>
          <link rel="enclosure" type="image/jpeg" href="gambar.jpg"/>
          <published>2024-05-04T10:15:00+07:00</published>
          <updated>2024-05-05T08:00:00Z</updated>
          <category term="politik" label="Politik"/>
          <summary>Ringkasan &amp; catatan</summary>
          <content type="xhtml" xml:base="/media/"><div xmlns="http://www.w3.org/1999/xhtml"><p>Lihat <img src="a.jpg"/> dan <a href="b.html">ini</a>.</p></div></content>
        </entry>
      </feed>`);
    expect(feed).toMatchObject({
      format: "atom10",
      title: "Blog Redaksi",
      link: "https://berita.example/",
      language: "id",
    });
    expect(feed.entries[0]).toEqual({
      guid: "tag:berita.example,2024:1",
      url: "https://berita.example/blog/2024/pos.html",
      title: "Pos Pertama",
      contentHtml:
        '<p>Lihat <img src="https://berita.example/media/a.jpg"> dan <a href="https://berita.example/media/b.html">ini</a>.</p>',
      summaryHtml: "<p>Ringkasan &amp; catatan</p>",
      published: new Date("2024-05-04T03:15:00Z"),
      updated: new Date("2024-05-05T08:00:00Z"),
      author: "Redaksi",
      categories: ["Politik"],
      image: { url: "https://berita.example/blog/2024/gambar.jpg", type: "image/jpeg" },
      language: "id",
    });
  });

  it("ignores an xml:base with an unsafe scheme", () => {
    const feed = parse(`<feed xmlns="http://www.w3.org/2005/Atom" xml:base="javascript:alert(1)//">
      <entry><title>T</title><link href="artikel"/></entry></feed>`);
    expect(feed.entries[0]?.url).toBe("https://berita.example/rss/artikel");
  });

  it("reads Atom 0.3: issued, modified, escaped and base64 content", () => {
    const html = Buffer.from("<p>Isi <em>base64</em></p>").toString("base64");
    const feed = parse(`<feed version="0.3" xmlns="http://purl.org/atom/ns#">
      <title>Lama</title>
      <link rel="alternate" type="text/html" href="https://lama.example/"/>
      <entry>
        <title mode="escaped" type="text/html">Judul &amp;amp; Sub</title>
        <link rel="alternate" type="text/html" href="https://lama.example/1"/>
        <id>urn:lama:1</id>
        <issued>2003-12-13T08:29:29-04:00</issued>
        <modified>2003-12-13T18:30:02Z</modified>
        <author><name>Mark</name></author>
        <summary type="text/plain">Ringkas</summary>
        <content type="text/html" mode="base64">${html}</content>
      </entry>
    </feed>`);
    expect(feed.format).toBe("atom03");
    expect(feed.link).toBe("https://lama.example/");
    expect(feed.entries[0]).toMatchObject({
      title: "Judul & Sub",
      url: "https://lama.example/1",
      guid: "urn:lama:1",
      published: new Date("2003-12-13T12:29:29Z"),
      updated: new Date("2003-12-13T18:30:02Z"),
      author: "Mark",
      summaryHtml: "<p>Ringkas</p>",
      contentHtml: "<p>Isi <em>base64</em></p>",
    });
  });

  it("gives entries without an author the feed's author", () => {
    const feed = parse(`<feed xmlns="http://www.w3.org/2005/Atom"><title>T</title>
      <author><name>Redaksi</name></author>
      <entry><title>A</title></entry>
      <entry><title>B</title><author><name>Rina</name></author></entry></feed>`);
    expect(feed.entries.map((e) => e.author)).toEqual(["Redaksi", "Rina"]);
  });
});

describe("parseFeed: JSON Feed", () => {
  it("reads JSON Feed 1.0 with a single author", () => {
    const feed = parse(
      JSON.stringify({
        version: "https://jsonfeed.org/version/1",
        title: "Berita JSON",
        home_page_url: "https://berita.example/",
        feed_url: "https://berita.example/feed.json",
        author: { name: "Redaksi" },
        items: [
          {
            id: 42,
            url: "/artikel/42",
            title: "Judul",
            content_text: "Paragraf satu.\n\nParagraf <dua>.",
            summary: "Ringkasan",
            date_published: "2024-05-04T10:15:00+07:00",
            tags: ["Ekonomi", "Ekonomi", " Pasar "],
            image: "/img/42.jpg",
          },
        ],
      }),
    );
    expect(feed).toMatchObject({
      format: "json10",
      title: "Berita JSON",
      link: "https://berita.example/",
    });
    expect(feed.entries[0]).toEqual({
      guid: "42",
      url: "https://berita.example/artikel/42",
      title: "Judul",
      contentHtml: "<p>Paragraf satu.</p><p>Paragraf &lt;dua&gt;.</p>",
      summaryHtml: "<p>Ringkasan</p>",
      published: new Date("2024-05-04T03:15:00Z"),
      author: "Redaksi",
      categories: ["Ekonomi", "Pasar"],
      image: { url: "https://berita.example/img/42.jpg" },
    });
  });

  it("reads JSON Feed 1.1 with authors and languages", () => {
    const feed = parse(
      JSON.stringify({
        version: "https://jsonfeed.org/version/1.1",
        title: "Berita",
        language: "id",
        authors: [{ name: "Redaksi" }],
        items: [
          {
            id: "a",
            content_html: '<p><a href="/x">x</a></p>',
            url: "https://berita.example/a",
            authors: [{ name: "Andi" }, { name: "Rina" }],
            date_modified: "2024-05-04T10:15:00Z",
            language: "en",
          },
          { id: "b", content_text: "Tanpa judul" },
        ],
      }),
    );
    expect(feed.format).toBe("json11");
    expect(feed.language).toBe("id");
    expect(feed.entries[0]).toMatchObject({
      title: "",
      contentHtml: '<p><a href="https://berita.example/x">x</a></p>',
      author: "Andi, Rina",
      updated: new Date("2024-05-04T10:15:00Z"),
      language: "en",
    });
    expect(feed.entries[1]?.author).toBe("Redaksi");
  });

  it("refuses JSON that is not a feed, and JSON that is not well formed", () => {
    const notFeed = thrownBy(() => parse('{"hello": "world"}'));
    expect(isAppError(notFeed, "PARSE_UNKNOWN_FORMAT")).toBe(true);
    const broken = thrownBy(() =>
      parse('{"version": "https://jsonfeed.org/version/1", "items": [}'),
    );
    expect(isAppError(broken, "PARSE_FEED")).toBe(true);
    expect((broken as Error).message).toMatch(
      new RegExp(`^feed: ${FEED_URL}: not well-formed JSON`),
    );
  });
});

describe("parseFeed: refusals and recovery", () => {
  it("refuses an HTML page, naming its root element", () => {
    const error = thrownBy(() =>
      parse("<!DOCTYPE html><html><head><title>Beranda</title></head><body></body></html>"),
    );
    expect(isAppError(error, "PARSE_UNKNOWN_FORMAT")).toBe(true);
    expect((error as Error).message).toBe(
      `feed: ${FEED_URL}: not RSS, Atom or JSON Feed (root element <html>)`,
    );
  });

  it("refuses a document cut off inside an item, naming the URL and the lines", () => {
    const error = thrownBy(() =>
      parse(
        '<rss version="2.0">\n<channel>\n<title>T</title>\n<item>\n<title>Terpotong</title>\n<description>Isi',
      ),
    );
    expect(isAppError(error, "PARSE_FEED")).toBe(true);
    expect((error as Error).message).toBe(
      `feed: ${FEED_URL}: not well-formed XML: the document ends at line 6 inside <item> opened at line 4 (truncated?)`,
    );
  });

  it("recovers from a missing end of the root element and mismatched tags", () => {
    const feed = parse(
      '<rss version="2.0"><channel><title>T</title><item><title>Satu<b>!</title></item><item><title>Dua</title></item></channel></rss',
    );
    expect(feed.entries.map((e) => e.title)).toEqual(["Satu!", "Dua"]);
  });

  it("refuses an empty body and a body that is still gzip-compressed", () => {
    expect(
      isAppError(
        thrownBy(() => parse("  \n ")),
        "PARSE_FEED",
      ),
    ).toBe(true);
    const gzipped = gzipSync(Buffer.from(rss("<item><title>T</title></item>")));
    expect(
      isAppError(
        thrownBy(() => parse(gzipped)),
        "PARSE_ENCODING",
      ),
    ).toBe(true);
  });

  it("parses a feed with invalid UTF-8 in it", () => {
    const body = Buffer.concat([
      Buffer.from('<rss version="2.0"><channel><title>T</title><item><title>Ru'),
      Buffer.from([0xc3, 0x28, 0xff, 0xfe]),
      Buffer.from("sak</title></item></channel></rss>"),
    ]);
    expect(parse(body, { contentType: "application/rss+xml; charset=utf-8" }).entries).toHaveLength(
      1,
    );
  });
});
