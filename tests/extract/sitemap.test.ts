import { describe, expect, it } from "vitest";
import { parseSitemap } from "../../src/extract/sitemap.js";
import { isAppError } from "../../src/shared/errors.js";
import { thrownBy } from "../helpers/errors.js";

describe("parseSitemap", () => {
  it("lists the pages of a Google News sitemap, newest first", () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
  <url><loc>https://news.example.org/a?x=1&amp;y=2</loc>
    <news:news><news:publication>
      <news:name>Warta</news:name><news:language>id</news:language></news:publication>
      <news:publication_date>2024-05-04T10:15:00+07:00</news:publication_date>
      <news:title>Banjir di Jambi</news:title></news:news></url>
  <url><loc>/b</loc><lastmod>2024-05-05</lastmod></url>
</urlset>`;
    const sitemap = parseSitemap(xml, "https://news.example.org/sitemap-news.xml");
    expect(sitemap.sitemaps).toEqual([]);
    expect(sitemap.entries).toEqual([
      { url: "https://news.example.org/b", modified: new Date("2024-05-05T00:00:00Z") },
      {
        url: "https://news.example.org/a?x=1&y=2",
        modified: new Date("2024-05-04T03:15:00Z"),
        title: "Banjir di Jambi",
      },
    ]);
  });

  it("lists the sitemaps of a sitemap index", () => {
    const xml = `<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <sitemap><loc>https://news.example.org/post-sitemap.xml</loc></sitemap>
      <sitemap><loc>javascript:alert(1)</loc></sitemap>
    </sitemapindex>`;
    expect(parseSitemap(xml, "https://news.example.org/sitemap.xml")).toEqual({
      entries: [],
      sitemaps: ["https://news.example.org/post-sitemap.xml"],
    });
  });

  it("rejects a document that is not a sitemap, naming it", () => {
    const error = thrownBy(() =>
      parseSitemap("<html><body>hi</body></html>", "https://x.example/s.xml"),
    );
    expect(isAppError(error, "PARSE_UNKNOWN_FORMAT")).toBe(true);
    expect((error as Error).message).toContain("https://x.example/s.xml");
  });
});
