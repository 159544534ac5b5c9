import { describe, expect, it } from "vitest";
import {
  loadIndonesianPages,
  loadScrapinghubPages,
  relatedLinkLines,
  runReadability,
  runWarta,
  scoreRun,
} from "../../../scripts/bench/extraction.js";

/*
 * A guard on extraction quality: warta must extract article bodies at least as well as
 * Mozilla Readability, both measured here on the same corpus pages with the benchmark's
 * metric (no hard-coded figure), and must leave no "Baca juga" links in Indonesian articles.
 */
describe("extraction quality on the corpus", () => {
  it("scores an F1 on the scrapinghub development pages at least Readability's", () => {
    const pages = loadScrapinghubPages();
    const warta = scoreRun(pages, runWarta(pages, "UTC"));
    const readability = scoreRun(pages, runReadability(pages));
    expect(warta.pages).toBe(91);
    expect(warta.f1).toBeGreaterThanOrEqual(readability.f1);
  });

  it('leaves no "Baca juga" line in the Indonesian articles and extracts every one', () => {
    const articles = loadIndonesianPages()
      .filter((entry) => entry.expected.kind === "article")
      .map((entry) => entry.page);
    const run = runWarta(articles, "Asia/Jakarta");
    expect(run.failures).toEqual({});
    expect(relatedLinkLines(run)).toEqual([]);
    for (const text of Object.values(run.predictions)) expect(text).not.toMatch(/baca juga/i);
  });
});
