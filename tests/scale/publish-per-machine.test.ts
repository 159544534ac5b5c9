import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { FeedsConfig, SiteConfig } from "../../src/config/schema.js";
import { MANIFEST_PATH, publishFeeds } from "../../src/pipeline/publish.js";
import { silentLogger } from "../../src/shared/logger.js";
import { AtomicFileWriter } from "../../src/store/index.js";
import { articleInput, openPublishStore, type PublishStore } from "../helpers/publish-store.js";

const SITE: SiteConfig = {
  title: "Warta Uji",
  description: "",
  base_url: "https://news.example.org/",
  language: "id",
  timezone: "Asia/Jakarta",
};
const FEEDS: FeedsConfig = {
  items: 5,
  per_category: true,
  per_author: true,
  summary_variants: true,
  archives: true,
  editions: true,
};

/** Every file under `dir`, relative, with its bytes. */
function contents(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (relative: string) => {
    for (const entry of readdirSync(path.join(dir, relative))) {
      const child = path.join(relative, entry);
      if (statSync(path.join(dir, child)).isDirectory()) walk(child);
      else files.set(child, readFileSync(path.join(dir, child), "utf8"));
    }
  };
  walk("");
  return files;
}

describe("publishing on several machines that share one store", () => {
  let store: PublishStore;
  /** The public folder of a second machine, published from the same store. */
  let otherPublic: string;
  const publishOther = () =>
    publishFeeds({
      site: SITE,
      feeds: FEEDS,
      articles: store.articles,
      editions: store.editions,
      files: new AtomicFileWriter(otherPublic),
      logger: silentLogger(),
    });
  beforeEach(async () => {
    store = await openPublishStore(SITE, FEEDS);
    otherPublic = path.join(store.root, "public-b");
  });
  afterEach(() => store.close());

  it("brings each machine's own folder up to date, whichever published the state first", async () => {
    await store.articles.upsert(
      [
        articleInput("a1", "2024-05-01T03:00:00.000Z", {
          categories: [{ slug: "ekonomi", name: "Ekonomi" }],
        }),
      ],
      new Date("2024-05-01T04:00:00Z"),
    );
    await store.publish();
    await publishOther();
    expect(contents(otherPublic)).toEqual(contents(store.publicDir));

    // A new article: machine A publishes it first, then B must too, though the store already
    // knows the feeds were published from this state.
    await store.articles.upsert(
      [
        articleInput("a2", "2024-05-02T03:00:00.000Z", {
          categories: [{ slug: "dunia", name: "Dunia" }],
        }),
      ],
      new Date("2024-05-02T04:00:00Z"),
    );
    const first = await store.publish();
    expect(first.written).toContain("feeds/rss.xml");
    const second = await publishOther();
    expect(second.written).toContain("feeds/rss.xml");
    expect(second.written).toContain("feeds/category/dunia/rss.xml");
    expect(contents(otherPublic)).toEqual(contents(store.publicDir));
    expect(readFileSync(path.join(otherPublic, "feeds", "rss.xml"), "utf8")).toContain("a2");

    // And each stays incremental on its own: nothing new, nothing rendered.
    expect((await publishOther()).renderedFeeds).toEqual([]);
    expect((await store.publish()).renderedFeeds).toEqual([]);
  });

  it("renders everything again when its manifest is missing or broken, rewriting no unchanged file", async () => {
    await store.articles.upsert(
      [articleInput("a1", "2024-05-01T03:00:00.000Z")],
      new Date("2024-05-01T04:00:00Z"),
    );
    await store.publish();
    writeFileSync(path.join(store.publicDir, MANIFEST_PATH), "{not json");
    const again = await store.publish();
    expect(again.renderedFeeds.length).toBeGreaterThan(0);
    expect(again.written).toEqual([]);
    expect((await store.publish()).renderedFeeds).toEqual([]);
  });
});
