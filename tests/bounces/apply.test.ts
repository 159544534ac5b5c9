import { afterEach, describe, expect, it } from "vitest";
import { applyBounceMessage } from "../../src/bounces/index.js";
import { SqlDeliveryQueue } from "../../src/store/deliveries.js";
import {
  type BounceStoreFixture,
  complaint,
  hardBounce,
  notAReport,
  openBounceStore,
  softBounce,
} from "./harness.js";

describe("applying bounce reports to the store", () => {
  let fx: BounceStoreFixture | undefined;
  afterEach(async () => {
    await fx?.close();
    fx = undefined;
  });

  it("marks the delivery of a hard bounce bounced with the diagnostic and counts it once", async () => {
    fx = await openBounceStore(3);
    const budi = await fx.subscriber("budi@example.net");
    const edition = await fx.edition([budi]);
    const raw = hardBounce(edition, budi, "budi@example.net");

    const first = await applyBounceMessage(raw, fx.deps());
    expect(first).toMatchObject([
      {
        kind: "hard",
        outcome: "applied",
        matchedBy: "message-id",
        editionId: edition,
        hardBounces: 1,
      },
    ]);
    const delivery = await fx.delivery(edition, budi);
    expect(delivery.status).toBe("bounced");
    expect(delivery.last_error).toContain("User unknown in virtual mailbox table");
    expect(await fx.subscriberRow(budi)).toEqual({ status: "active", hard_bounces: 1 });

    // The same report again (a second copy, a webhook retry): nothing changes.
    const again = await applyBounceMessage(raw, fx.deps());
    expect(again).toMatchObject([{ kind: "hard", outcome: "duplicate" }]);
    expect(await fx.subscriberRow(budi)).toEqual({ status: "active", hard_bounces: 1 });
  });

  it("marks the subscriber bounced once hard bounces reach mail.bounce_limit", async () => {
    fx = await openBounceStore(2);
    const budi = await fx.subscriber("budi@example.net");
    const first = await fx.edition([budi]);
    const second = await fx.edition([budi]);
    await applyBounceMessage(hardBounce(first, budi, "budi@example.net"), fx.deps());
    expect((await fx.subscriberRow(budi)).status).toBe("active");
    const applied = await applyBounceMessage(
      hardBounce(second, budi, "budi@example.net"),
      fx.deps(),
    );
    expect(applied).toMatchObject([
      { outcome: "applied", hardBounces: 2, subscriberStopped: true },
    ]);
    expect(await fx.subscriberRow(budi)).toEqual({ status: "bounced", hard_bounces: 2 });
  });

  it("starts counting again after a message is delivered (recorded by the store)", async () => {
    fx = await openBounceStore(2);
    const budi = await fx.subscriber("budi@example.net");
    const first = await fx.edition([budi]);
    const delivered = await fx.edition([budi]);
    const third = await fx.edition([budi]);
    await applyBounceMessage(hardBounce(first, budi, "budi@example.net"), fx.deps());
    expect((await fx.subscriberRow(budi)).hard_bounces).toBe(1);
    await new SqlDeliveryQueue(fx.db).recordSent(
      { editionId: delivered, subscriberId: budi },
      new Date("2024-05-06T00:00:00Z"),
      "250 2.0.0 Ok",
    );
    expect((await fx.subscriberRow(budi)).hard_bounces).toBe(0);
    await applyBounceMessage(hardBounce(third, budi, "budi@example.net"), fx.deps());
    // Not two in a row: still subscribed.
    expect(await fx.subscriberRow(budi)).toEqual({ status: "active", hard_bounces: 1 });
  });

  it("marks a subscriber who complained as complained, never to be mailed again", async () => {
    fx = await openBounceStore();
    const citra = await fx.subscriber("citra@hotmail.example");
    const edition = await fx.edition([citra]);
    const applied = await applyBounceMessage(
      complaint(edition, citra, "citra@hotmail.example"),
      fx.deps(),
    );
    expect(applied).toMatchObject([
      { kind: "complaint", outcome: "applied", subscriberStopped: true },
    ]);
    expect((await fx.subscriberRow(citra)).status).toBe("complained");
    expect((await fx.delivery(edition, citra)).status).toBe("sent");
    const again = await applyBounceMessage(
      complaint(edition, citra, "citra@hotmail.example"),
      fx.deps(),
    );
    expect(again).toMatchObject([{ outcome: "duplicate" }]);
  });

  it("notes soft bounces and delays on the delivery only", async () => {
    fx = await openBounceStore();
    const ani = await fx.subscriber("ani@corp.example.com");
    const rudi = await fx.subscriber("rudi@corp.example.com");
    const edition = await fx.edition([ani, rudi]);
    // One report names two recipients of the message to Ani: the Message-ID decides (a final
    // recipient may be a forwarding address), so both parts land on Ani's delivery.
    const applied = await applyBounceMessage(
      softBounce(edition, ani, "ani@corp.example.com", "rudi@corp.example.com"),
      fx.deps(),
    );
    expect(applied.map((a) => [a.kind, a.outcome, a.subscriberId])).toEqual([
      ["soft", "applied", ani],
      ["delayed", "applied", ani],
    ]);
    const delivery = await fx.delivery(edition, ani);
    expect(delivery.status).toBe("sent");
    expect(delivery.last_error).toMatch(/^delayed 4\.4\.7/);
    expect(await fx.subscriberRow(ani)).toEqual({ status: "active", hard_bounces: 0 });
  });

  it("falls back to the recipient when the Message-ID is not one of ours", async () => {
    fx = await openBounceStore();
    const budi = await fx.subscriber("budi@example.net");
    const edition = await fx.edition([budi]);
    // A stored Message-ID for another host: the numbers match, the whole id does not.
    const foreign = hardBounce(edition, budi, "budi@example.net").replace(
      `warta.e${edition}.s${budi}@news.example.org`,
      `warta.e${edition}.s${budi}@elsewhere.example`,
    );
    const applied = await applyBounceMessage(foreign, fx.deps());
    expect(applied).toMatchObject([
      { outcome: "applied", matchedBy: "recipient", editionId: edition },
    ]);
    expect((await fx.delivery(edition, budi)).status).toBe("bounced");

    const stranger = hardBounce(999, 999, "nobody@example.net");
    expect(await applyBounceMessage(stranger, fx.deps())).toMatchObject([{ outcome: "unmatched" }]);
    expect(await applyBounceMessage(notAReport(), fx.deps())).toEqual([]);
  });
});
