import { load } from "cheerio";
import { afterEach, describe, expect, it } from "vitest";
import { uiStrings } from "../../src/compose/strings.js";
import { failWrites } from "../helpers/store.js";
import { type DigestHarness, openDigestHarness, story } from "./digest-harness.js";

/** What a reader sees of an edition's HTML: the article links and the document language. */
function readEdition(html: string) {
  const $ = load(html);
  const links = new Set<string>();
  $("a[href^='https://news.example.org/artikel/']").each((_, a) => {
    links.add($(a).attr("href") ?? "");
  });
  return { lang: $("html").attr("lang"), links: [...links].sort(), text: $("body").text() };
}

const articleUrl = (id: string) => `https://news.example.org/artikel/${id}/`;

describe("digest editions per segment", () => {
  let h: DigestHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("gives readers of different categories and languages their own editions", async () => {
    h = await openDigestHarness();
    await h.collect(
      "2024-05-04T02:00:00Z",
      story("karet", { category: "ekonomi" }),
      story("persijam", { category: "olahraga" }),
      story("rubber", { category: "ekonomi", language: "en-GB", title: "Rubber Prices Rise" }),
      story("football", { category: "olahraga", language: "en" }),
    );
    h.setNow("2024-05-04T03:00:00Z");
    const ani = await h.subscribe({ email: "ani@example.org", categories: ["ekonomi"] });
    const budi = await h.subscribe({ email: "budi@example.org", categories: ["olahraga"] });
    const cici = await h.subscribe({ email: "cici@example.org" });
    const john = await h.subscribe({
      email: "john@example.com",
      language: "en",
      categories: ["ekonomi"],
    });

    const result = await h.compose({ byHand: true });
    const editions = result.slots.flatMap((slot) => slot.editions);
    expect(editions).toHaveLength(4);
    expect(editions.every((e) => e.recipients === 1)).toBe(true);

    const deliveries = await h.deliveries();
    const editionOf = (id: number) => {
      const delivery = deliveries.find((d) => d.subscriber_id === id);
      return editions.find((e) => e.edition.id === delivery?.edition_id)!.edition;
    };
    expect(readEdition(editionOf(ani.id).html).links).toEqual([articleUrl("karet")]);
    expect(readEdition(editionOf(budi.id).html).links).toEqual([articleUrl("persijam")]);
    expect(readEdition(editionOf(cici.id).html).links).toEqual(
      [articleUrl("karet"), articleUrl("persijam")].sort(),
    );
    const english = editionOf(john.id);
    expect(english.language).toBe("en");
    expect(english.segment).toEqual(["ekonomi"]);
    expect(english.articleIds).toEqual(["rubber"]);
    const read = readEdition(english.html);
    expect(read.links).toEqual([articleUrl("rubber")]);
    expect(read.lang).toBe("en");
    expect(read.text).toContain(uiStrings("en").readMore);
    expect(read.text).not.toContain(uiStrings("id").readMore);
    expect(english.text).toContain("Rubber Prices Rise");
    expect(readEdition(editionOf(ani.id).html).text).toContain(uiStrings("id").readMore);
  });

  it("titles each edition with the subject template of its language", async () => {
    h = await openDigestHarness({
      newsletter: {
        subject: { id: "Kabar {{site}} ({{count}})", en: "News from {{site}} ({{count}})" },
      },
    });
    await h.collect(
      "2024-05-04T02:00:00Z",
      story("karet", { category: "ekonomi" }),
      story("rubber", { category: "ekonomi", language: "en" }),
    );
    h.setNow("2024-05-04T03:00:00Z");
    await h.subscribe({ email: "ani@example.org" });
    await h.subscribe({ email: "john@example.com", language: "en-GB" });
    const result = await h.compose({ byHand: true });
    const subjects = result.slots
      .flatMap((slot) => slot.editions)
      .map((e) => [e.edition.language, e.edition.subject])
      .sort();
    expect(subjects).toEqual([
      ["en-GB", "News from Warta Uji (1)"],
      ["id", "Kabar Warta Uji (1)"],
    ]);
  });

  it("gives nobody an empty digest: a segment without new articles gets no edition and no delivery", async () => {
    h = await openDigestHarness();
    await h.collect("2024-05-04T02:00:00Z", story("karet", { category: "ekonomi" }));
    h.setNow("2024-05-04T03:00:00Z");
    const sport = await h.subscribe({ email: "olahraga@example.org", categories: ["olahraga"] });
    const all = await h.subscribe({ email: "semua@example.org" });

    const result = await h.compose({ byHand: true });
    const editions = result.slots.flatMap((slot) => slot.editions);
    expect(editions).toHaveLength(1);
    expect(result.slots[0]?.emptyVariants).toBe(1);
    const deliveries = await h.deliveries();
    expect(deliveries.map((d) => d.subscriber_id)).toEqual([all.id]);
    expect(deliveries.some((d) => d.subscriber_id === sport.id)).toBe(false);

    // Only the sports reader, and still nothing for them: no edition at all.
    await h.subscribers.setStatus(all.id, "unsubscribed", h.now());
    h.setNow("2024-05-04T05:00:00Z");
    const again = await h.compose({ byHand: true });
    expect(again.slots.flatMap((slot) => slot.editions)).toEqual([]);
    expect(await h.editions.ids()).toHaveLength(1);
  });

  it("stores a slot all at once: a failure half-way leaves nothing, and a retry composes it once", async () => {
    h = await openDigestHarness();
    await h.collect("2024-05-04T02:00:00Z", story("karet", { category: "ekonomi" }));
    h.setNow("2024-05-04T03:00:00Z");
    const ani = await h.subscribe({ email: "ani@example.org" });
    // The last statement of the transaction (the slot's totals) fails, as if the process died
    // there.
    const mend = await failWrites(h.db, "digest_slots", "update", "disk full");
    await expect(h.compose({ byHand: true })).rejects.toThrow(/disk full/);
    expect(await h.editions.ids()).toEqual([]);
    expect(await h.deliveries()).toEqual([]);
    expect((await h.subscribers.byId(ani.id))?.coveredUntil).toBeUndefined();

    await mend();
    const retry = await h.compose({ byHand: true });
    expect(retry.slots.flatMap((slot) => slot.editions)).toHaveLength(1);
    expect(await h.deliveries()).toHaveLength(1);
    expect((await h.subscribers.byId(ani.id))?.coveredUntil).toEqual(h.now());
  });

  it("queues each delivery with a Message-ID derived from the edition and the subscriber", async () => {
    h = await openDigestHarness();
    await h.collect("2024-05-04T02:00:00Z", story("karet"));
    h.setNow("2024-05-04T03:00:00Z");
    const ani = await h.subscribe({ email: "ani@example.org" });
    const budi = await h.subscribe({ email: "budi@example.org" });
    await h.compose({ byHand: true });
    const [edition] = await h.editions.ids();
    expect(await h.deliveries()).toEqual([
      {
        edition_id: edition,
        subscriber_id: ani.id,
        status: "queued",
        message_id: `<warta.e${edition}.s${ani.id}@news.example.org>`,
      },
      {
        edition_id: edition,
        subscriber_id: budi.id,
        status: "queued",
        message_id: `<warta.e${edition}.s${budi.id}@news.example.org>`,
      },
    ]);
  });
});
