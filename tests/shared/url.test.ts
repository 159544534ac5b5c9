import { describe, expect, it } from "vitest";
import { canonicalizeUrl } from "../../src/shared/url.js";

describe("canonicalizeUrl", () => {
  it.each([
    ["HTTPS://News.Example.ORG/a/b", "https://news.example.org/a/b"],
    ["https://news.example.org:443/a", "https://news.example.org/a"],
    ["http://news.example.org:80/a", "http://news.example.org/a"],
    ["http://news.example.org:8080/a", "http://news.example.org:8080/a"],
    ["https://news.example.org/a/", "https://news.example.org/a"],
    ["https://news.example.org/a//", "https://news.example.org/a"],
    ["https://news.example.org/", "https://news.example.org/"],
    ["https://news.example.org/a#komentar", "https://news.example.org/a"],
    [
      "https://news.example.org/a?utm_source=fb&utm_medium=social&id=7&fbclid=XYZ",
      "https://news.example.org/a?id=7",
    ],
    ["https://news.example.org/a?b=2&a=1", "https://news.example.org/a?a=1&b=2"],
    ["https://news.example.org/a?gclid=1&_ga=2&mc_cid=3", "https://news.example.org/a"],
  ])("turns %s into %s", (input, expected) => {
    expect(canonicalizeUrl(input)).toBe(expected);
  });

  it("gives the same key for the variants of one address", () => {
    const variants = [
      "https://News.Example.org/berita/banjir-jambi/",
      "https://news.example.org:443/berita/banjir-jambi?utm_campaign=pagi",
      "https://news.example.org/berita/banjir-jambi#top",
    ];
    expect(new Set(variants.map(canonicalizeUrl)).size).toBe(1);
  });

  it("refuses what is not an absolute http(s) URL", () => {
    for (const input of ["/relative", "ftp://example.org/a", "javascript:alert(1)", "not a url"]) {
      expect(canonicalizeUrl(input)).toBeUndefined();
    }
  });
});
