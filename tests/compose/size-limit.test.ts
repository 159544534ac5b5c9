import { load } from "cheerio";
import { describe, expect, it } from "vitest";
import {
  groupByCategory,
  PersonalizedTemplate,
  type RenderedDigest,
  renderDigest,
} from "../../src/compose/index.js";
import { isAppError } from "../../src/shared/errors.js";
import {
  makeArticles,
  makeContent,
  makeLongArticles,
  makeLongRecipient,
  makeOptions,
  makeRecipient,
} from "./fixtures.js";

/** Gmail clips a message whose HTML exceeds 102 KB. */
const GMAIL_CLIP_BYTES = 102 * 1000;

/** HTML bytes of the digest once personalised with 250-character links and a long name. */
function personalisedBytes(digest: RenderedDigest): number {
  return Buffer.byteLength(
    PersonalizedTemplate.compile(digest.html, "html").fill(makeLongRecipient()),
  );
}

describe("the HTML size limit", () => {
  it("turns the last cards of a long digest into headlines to stay under Gmail's clip", async () => {
    const articles = makeLongArticles(30);
    const content = makeContent(articles);
    // Precondition: with every article as a card the digest would be clipped.
    const unlimited = await renderDigest(
      content,
      makeOptions({ fullArticles: 30, maxHtmlBytes: 10_000_000 }),
    );
    expect(unlimited.fullArticles).toBe(30);
    expect(personalisedBytes(unlimited)).toBeGreaterThan(GMAIL_CLIP_BYTES);

    const digest = await renderDigest(content, makeOptions({ fullArticles: 30 }));
    expect(personalisedBytes(digest)).toBeLessThanOrEqual(95_000);
    expect(digest.fullArticles).toBeGreaterThan(0);
    expect(digest.fullArticles).toBeLessThan(30);
    expect(digest.fullArticles + digest.headlines).toBe(30);

    // The cards are the first articles in reading order, the headlines all the others.
    const reading = groupByCategory(articles, "id").flatMap((s) => s.articles.map((a) => a.title));
    const $ = load(PersonalizedTemplate.compile(digest.html, "html").fill(makeRecipient()));
    const cards = $(".warta-article h3 a")
      .map((_, el) => $(el).text())
      .get();
    const headlines = $(".warta-headline > a")
      .map((_, el) => $(el).text())
      .get();
    expect(cards).toEqual(reading.slice(0, digest.fullArticles));
    expect(headlines).toEqual(reading.slice(digest.fullArticles));
    expect($(".warta-headline a").first().attr("href")).toMatch(/^https:\/\//);

    // Both parts say how many articles became headlines.
    const note = `${digest.headlines} artikel lainnya sebagai judul`;
    expect($(".warta-headlines-note").text().trim()).toBe(note);
    expect(digest.text).toContain(note);
    for (const title of headlines) expect(digest.text.split("\n")).toContain(`- ${title}`);

    // It keeps as many cards as fit: one more would not.
    const oneMore = await renderDigest(
      content,
      makeOptions({ fullArticles: digest.fullArticles + 1, maxHtmlBytes: 10_000_000 }),
    );
    expect(personalisedBytes(oneMore)).toBeGreaterThan(95_000);
  });

  it("keeps every article of a small digest as a card, without a headline list", async () => {
    const digest = await renderDigest(makeContent(makeArticles()), makeOptions());
    expect(digest.fullArticles).toBe(3);
    expect(digest.headlines).toBe(0);
    const $ = load(digest.html);
    expect($(".warta-article").length).toBe(3);
    expect($(".warta-headlines").length).toBe(0);
    expect(digest.text).not.toContain("sebagai judul");
  });

  it("shows articles past fullArticles as headlines even when all would fit", async () => {
    const digest = await renderDigest(
      makeContent(makeLongArticles(5)),
      makeOptions({ fullArticles: 2 }),
    );
    expect(digest.fullArticles).toBe(2);
    expect(digest.headlines).toBe(3);
    const $ = load(digest.html);
    expect($(".warta-article").length).toBe(2);
    expect($(".warta-headline").length).toBe(3);
    expect($(".warta-headline img").length).toBe(0);
  });

  it("leaves out the last headlines when even headlines alone are too big, and says so", async () => {
    const articles = makeLongArticles(150);
    const digest = await renderDigest(
      makeContent(articles),
      makeOptions({ fullArticles: 0, maxHtmlBytes: 30_000 }),
    );
    expect(personalisedBytes(digest)).toBeLessThanOrEqual(30_000);
    expect(digest.fullArticles).toBe(0);
    expect(digest.headlines).toBeGreaterThan(0);
    expect(digest.headlines).toBeLessThan(150);
    const left = 150 - digest.headlines;
    const $ = load(digest.html);
    expect($(".warta-headline").length).toBe(digest.headlines);
    expect($(".warta-omitted").text()).toContain(`${left} artikel`);
    expect(digest.text).toContain(`${left} artikel tidak muat`);
  });

  it("fails when the layout alone is over the limit", async () => {
    const error = await renderDigest(
      makeContent(makeArticles()),
      makeOptions({ maxHtmlBytes: 2_000 }),
    ).catch((thrown: unknown) => thrown);
    expect(isAppError(error, "TEMPLATE_RENDER"), String(error)).toBe(true);
  });
});
