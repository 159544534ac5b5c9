import { afterEach, describe, expect, it } from "vitest";
import { latestSlot } from "../../src/pipeline/index.js";
import { type DigestHarness, openDigestHarness, story } from "./digest-harness.js";

const schedule = { sendHour: 6, weeklyDay: "monday" as const };

describe("digest slots", () => {
  it("puts a daily slot at the send hour of each time zone", () => {
    // 06:00 WIT (UTC+9) on 5 May is 21:00 UTC on 4 May; 06:00 WIB (UTC+7) is 23:00 UTC.
    const at = new Date("2024-05-04T22:00:00Z");
    expect(latestSlot("daily", "Asia/Jayapura", at, schedule)).toEqual(
      new Date("2024-05-04T21:00:00Z"),
    );
    expect(latestSlot("daily", "Asia/Jakarta", at, schedule)).toEqual(
      new Date("2024-05-03T23:00:00Z"),
    );
    expect(latestSlot("daily", "Asia/Jakarta", new Date("2024-05-04T23:00:00Z"), schedule)).toEqual(
      new Date("2024-05-04T23:00:00Z"),
    );
  });

  it("puts a weekly slot on the weekly day, and keeps the local hour across daylight saving", () => {
    // Monday 1 April 2024, 06:00 in London is 05:00 UTC (BST began on 31 March).
    expect(
      latestSlot("weekly", "Europe/London", new Date("2024-04-03T12:00:00Z"), schedule),
    ).toEqual(new Date("2024-04-01T05:00:00Z"));
    // Monday 25 March, before the change: 06:00 GMT.
    expect(
      latestSlot("weekly", "Europe/London", new Date("2024-03-31T12:00:00Z"), schedule),
    ).toEqual(new Date("2024-03-25T06:00:00Z"));
    expect(latestSlot("daily", "Not/AZone", new Date(), schedule)).toBeNull();
  });
});

describe("the scheduled digest job", () => {
  let h: DigestHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  async function editionsOf(harness: DigestHarness, email: string) {
    return (await harness.received())
      .filter((r) => r.email === email)
      .map((r) => r.editionId)
      .filter((id, index, all) => all.indexOf(id) === index);
  }

  it("composes each time zone's slot when it is due, once, however often the job runs", async () => {
    h = await openDigestHarness();
    await h.collect("2024-05-04T10:00:00Z", story("pasar"), story("banjir"));
    await h.subscribe({ email: "wib@example.org", timezone: "Asia/Jakarta" });
    await h.subscribe({ email: "wit@example.org", timezone: "Asia/Jayapura" });

    // 21:00 UTC is 06:00 in Jayapura and 04:00 in Jakarta.
    h.setNow("2024-05-04T21:00:00Z");
    const jayapura = await h.compose();
    expect(
      jayapura.slots.filter((s) => s.status === "composed").map((s) => s.slot.timezone),
    ).toEqual(["Asia/Jayapura"]);
    expect(await editionsOf(h, "wit@example.org")).toHaveLength(1);
    expect(await editionsOf(h, "wib@example.org")).toHaveLength(0);

    // The hourly job again: nothing new is due.
    for (const hour of ["2024-05-04T21:00:00Z", "2024-05-04T22:00:00Z"]) {
      h.setNow(hour);
      const rerun = await h.compose();
      expect(rerun.slots.flatMap((s) => s.editions)).toEqual([]);
    }
    expect(await h.deliveries()).toHaveLength(1);

    // 23:00 UTC is 06:00 in Jakarta: now its slot, and only its slot, is composed.
    h.setNow("2024-05-04T23:00:00Z");
    const jakarta = await h.compose();
    expect(
      jakarta.slots.filter((s) => s.status === "composed").map((s) => s.slot.timezone),
    ).toEqual(["Asia/Jakarta"]);
    h.setNow("2024-05-05T00:00:00Z");
    await h.compose();
    expect(await editionsOf(h, "wib@example.org")).toHaveLength(1);
    expect(await editionsOf(h, "wit@example.org")).toHaveLength(1);
    expect(await h.deliveries()).toHaveLength(2);
    const slots = await h.db.selectFrom("digest_slots").select(["timezone", "slot_at"]).execute();
    expect(slots.sort((a, b) => a.slot_at.localeCompare(b.slot_at))).toEqual([
      { timezone: "Asia/Jayapura", slot_at: "2024-05-04T21:00:00.000Z" },
      { timezone: "Asia/Jakarta", slot_at: "2024-05-04T23:00:00.000Z" },
    ]);
  });

  it("skips a slot older than grace_hours, then sends the next one once with what was missed", async () => {
    h = await openDigestHarness({ newsletter: { grace_hours: 6 } });
    await h.collect("2024-05-04T10:00:00Z", story("hari-satu"));
    await h.subscribe({ email: "ani@example.org", timezone: "Asia/Jakarta" });
    // Slot of 5 May, 06:00 WIB = 4 May 23:00 UTC; composed on time.
    h.setNow("2024-05-04T23:30:00Z");
    await h.compose();
    expect((await h.received()).map((r) => r.articleId)).toEqual(["hari-satu"]);

    await h.collect("2024-05-05T10:00:00Z", story("hari-dua"));
    // warta was down: the 6 May slot (5 May 23:00 UTC) is seen only 7 hours late.
    h.setNow("2024-05-06T06:00:00Z");
    const late = await h.compose();
    expect(late.slots.map((s) => s.status)).toEqual(["past-grace"]);
    expect(await h.deliveries()).toHaveLength(1);

    await h.collect("2024-05-06T10:00:00Z", story("hari-tiga"));
    // Every hour of 7 May from 06:00 WIB: the slot goes out once, carrying both missed days.
    for (const hour of ["2024-05-06T23:00:00Z", "2024-05-07T00:00:00Z", "2024-05-07T01:00:00Z"]) {
      h.setNow(hour);
      await h.compose();
    }
    const deliveries = await h.deliveries();
    expect(deliveries).toHaveLength(2);
    const second = await h.editions.byId(deliveries[1]!.edition_id);
    expect([...(second?.articleIds ?? [])].sort()).toEqual(["hari-dua", "hari-tiga"]);
  });

  it("sends an article in at most one daily edition per subscriber, across runs and after a change of time zone", async () => {
    h = await openDigestHarness();
    const reader = await h.subscribe({ email: "pindah@example.org", timezone: "Asia/Jayapura" });
    await h.subscribe({ email: "tetap@example.org", timezone: "Asia/Jakarta" });
    await h.collect("2024-05-04T10:00:00Z", story("a1"));
    h.setNow("2024-05-04T21:00:00Z"); // 06:00 WIT
    await h.compose();
    await h.collect("2024-05-04T22:00:00Z", story("a2"));
    // Moving west puts the reader's next slot two hours later, the same night.
    await h.subscribers.update(reader.id, { timezone: "Asia/Jakarta" }, h.now());
    h.setNow("2024-05-04T23:00:00Z"); // 06:00 WIB
    await h.compose();
    await h.collect("2024-05-05T12:00:00Z", story("a3"));
    // And back east: the Jayapura slot of 6 May comes before the Jakarta one.
    await h.subscribers.update(reader.id, { timezone: "Asia/Jayapura" }, h.now());
    for (const hour of ["2024-05-05T21:00:00Z", "2024-05-05T22:00:00Z", "2024-05-05T23:00:00Z"]) {
      h.setNow(hour);
      await h.compose();
    }
    // A digest by hand, and a weekly change, bring nothing twice either.
    h.setNow("2024-05-06T02:00:00Z");
    await h.compose({ byHand: true });
    await h.subscribers.update(reader.id, { frequency: "weekly" }, h.now());
    h.setNow("2024-05-06T02:30:00Z"); // Monday 11:30 WIT: the weekly slot was at 06:00
    await h.compose();

    const received = await h.received();
    const pairs = received.map((r) => `${r.email} ${r.articleId}`);
    expect(new Set(pairs).size).toBe(pairs.length);
    expect(
      received
        .filter((r) => r.email === "pindah@example.org")
        .map((r) => r.articleId)
        .sort(),
    ).toEqual(["a1", "a2", "a3"]);
    expect(
      received
        .filter((r) => r.email === "tetap@example.org")
        .map((r) => r.articleId)
        .sort(),
    ).toEqual(["a1", "a2", "a3"]);
  });
});
