import { describe, expect, it } from "vitest";
import { createHostLimiter } from "../../src/sources/http-limit.js";

describe("createHostLimiter", () => {
  it("hands slots to waiters first in, first out", async () => {
    const limiter = createHostLimiter(1);
    const order: string[] = [];
    const first = await limiter.acquire("a:80");
    const waiting = ["b", "c", "d"].map((name) =>
      limiter.acquire("a:80").then((release) => {
        order.push(name);
        release();
      }),
    );
    first();
    await Promise.all(waiting);
    expect(order).toEqual(["b", "c", "d"]);
  });

  it("does not make one key wait for another", async () => {
    const limiter = createHostLimiter(1);
    await limiter.acquire("a:80");
    const release = await limiter.acquire("a:8080");
    release();
  });

  it("drops a waiter whose signal aborts, and keeps the slot for the next", async () => {
    const limiter = createHostLimiter(1);
    const holder = await limiter.acquire("a:80");
    const controller = new AbortController();
    const aborted = limiter.acquire("a:80", controller.signal);
    const next = limiter.acquire("a:80");
    controller.abort(new Error("deadline"));
    await expect(aborted).rejects.toThrow("deadline");
    holder();
    const release = await next;
    release();
  });

  it("ignores a second release of the same slot", async () => {
    const limiter = createHostLimiter(1);
    const release = await limiter.acquire("a:80");
    const waiter = limiter.acquire("a:80");
    release();
    release();
    await waiter;
    let third = false;
    void limiter.acquire("a:80").then(() => {
      third = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(third).toBe(false);
  });
});
