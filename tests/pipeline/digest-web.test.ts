import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { load } from "cheerio";
import Parser from "rss-parser";
import { afterEach, describe, expect, it } from "vitest";
import { publishFeeds } from "../../src/pipeline/index.js";
import { silentLogger } from "../../src/shared/logger.js";
import { AtomicFileWriter } from "../../src/store/index.js";
import { type DigestHarness, openDigestHarness, story } from "./digest-harness.js";

function filesBelow(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
}

describe("the web version of an edition", () => {
  let h: DigestHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("is published with public values: no placeholder, no reader's name or token", async () => {
    h = await openDigestHarness();
    await h.collect(
      "2024-05-04T02:00:00Z",
      story("karet", { category: "ekonomi" }),
      story("rubber", { category: "ekonomi", language: "en", title: "Rubber Prices Rise" }),
    );
    h.setNow("2024-05-04T03:00:00Z");
    await h.subscribe({ email: "siti@example.org", name: "Siti Rahasia" });
    await h.subscribe({ email: "john@example.com", name: "John Secret", language: "en" });
    await h.compose({ byHand: true });
    const ids = await h.editions.ids();
    expect(ids).toHaveLength(2);

    const publicDir = path.join(h.root, "public");
    await publishFeeds({
      site: h.config.site,
      feeds: h.config.feeds,
      articles: h.articles,
      editions: h.editions,
      files: new AtomicFileWriter(publicDir),
      logger: silentLogger(),
    });
    const files = filesBelow(publicDir);
    for (const file of files) {
      const body = readFileSync(file, "utf8");
      expect(/[\uE000\uE001]/.test(body), file).toBe(false);
      expect(body, file).not.toContain("token=");
      expect(body, file).not.toContain("Rahasia");
      expect(body, file).not.toContain("Secret");
    }

    for (const id of ids) {
      const page = path.join(publicDir, "newsletter", String(id), "index.html");
      const $ = load(readFileSync(page, "utf8"));
      const pageUrl = new URL(`newsletter/${id}/`, h.config.site.base_url);
      const targets = $("a")
        .map((_, a) => new URL($(a).attr("href") ?? "", pageUrl).href)
        .get();
      // Where a reader's own links would be, the page links to the subscribe page.
      expect(targets).toContain("https://news.example.org/subscribe");
      expect(targets.some((t) => /\/(unsubscribe|preferences)\b/.test(t))).toBe(false);
    }

    // The editions feed still lists both editions, linking to their pages.
    const feedFile = files.find((f) => /newsletter.*\.xml$|editions.*\.xml$/.test(f));
    expect(feedFile).toBeDefined();
    const feed = await new Parser().parseString(readFileSync(feedFile!, "utf8"));
    expect(feed.items.map((item) => item.link).sort()).toEqual(
      ids.map((id) => `https://news.example.org/newsletter/${id}/`).sort(),
    );
  });
});
