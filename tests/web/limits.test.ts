import * as cheerio from "cheerio";
import { afterEach, describe, expect, it } from "vitest";
import { clientAddress } from "../../src/web/index.js";
import { startWebHarness, visibleText, type WebHarness } from "./harness.js";

const form = (email: string) => ({
  email,
  language: "en",
  frequency: "daily",
  timezone: "Asia/Jakarta",
});

describe("limits and refusals of the subscription pages", () => {
  let h: WebHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("answers 429 with Retry-After and a readable page past the per-client limit", async () => {
    h = await startWebHarness({ server: { subscribe_per_ip: 2 } });
    expect((await h.post("subscribe", form("a@example.org"))).status).toBe(200);
    // An invalid form counts too: probing costs the same.
    expect((await h.post("subscribe", form("nonsense"))).status).toBe(400);
    const refused = await h.post("subscribe?lang=en", form("c@example.org"));
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(3_500);
    expect(retryAfter).toBeLessThanOrEqual(3_600);
    const $ = cheerio.load(await refused.text());
    expect($("html").attr("lang")).toBe("en");
    expect($("h1").text()).toBe("Too many requests");
    expect($("main").text()).toContain("60 minutes");
    expect(await h.ctx.subscribers.byEmail("c@example.org")).toBeUndefined();
    // The form itself still shows.
    expect((await fetch(new URL("subscribe", h.url))).status).toBe(200);
  });

  it("sends no more emails to one address past the per-address limit, with the same answer", async () => {
    h = await startWebHarness({ server: { subscribe_per_address: 2 } });
    const answers: string[] = [];
    for (const email of ["same@example.org", "SAME@example.org", " same@EXAMPLE.org"]) {
      const response = await h.post("subscribe", form(email));
      expect(response.status).toBe(200);
      answers.push(visibleText(await response.text()));
    }
    expect(new Set(answers).size).toBe(1);
    await h.mails(2);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(h.sink.messages).toHaveLength(2);
    // Another address is not affected.
    await h.post("subscribe", form("other@example.org"));
    await h.mails(3);
  });

  it("counts clients by X-Forwarded-For's last hop only when trust_proxy is on", async () => {
    h = await startWebHarness({ server: { subscribe_per_ip: 1, trust_proxy: true } });
    const via = (chain: string) => ({ "x-forwarded-for": chain });
    expect(
      (await h.post("subscribe", form("x1@example.org"), via("10.0.0.9, 203.0.113.5"))).status,
    ).toBe(200);
    // The client may claim anything before the proxy's own entry: only the last one counts.
    expect(
      (await h.post("subscribe", form("x2@example.org"), via("10.0.0.1, 203.0.113.5"))).status,
    ).toBe(429);
    expect((await h.post("subscribe", form("x3@example.org"), via("203.0.113.6"))).status).toBe(
      200,
    );
    expect((await h.ctx.subscribers.byEmail("x3@example.org"))?.consentIp).toBe("203.0.113.6");
  });

  it("ignores X-Forwarded-For without trust_proxy", async () => {
    h = await startWebHarness({ server: { subscribe_per_ip: 1 } });
    expect(
      (await h.post("subscribe", form("y1@example.org"), { "x-forwarded-for": "203.0.113.1" }))
        .status,
    ).toBe(200);
    expect(
      (await h.post("subscribe", form("y2@example.org"), { "x-forwarded-for": "203.0.113.2" }))
        .status,
    ).toBe(429);
    expect((await h.ctx.subscribers.byEmail("y1@example.org"))?.consentIp).toBe("127.0.0.1");
  });

  it("refuses bodies over 16 KB with 413, other methods with 405 and other body types with 415", async () => {
    h = await startWebHarness();
    const big = await h.post("subscribe", { ...form("big@example.org"), name: "x".repeat(20_000) });
    expect(big.status).toBe(413);
    expect((await fetch(new URL("subscribe", h.url), { method: "PUT", body: "a=b" })).status).toBe(
      405,
    );
    const deleted = await fetch(new URL("subscribe/confirm", h.url), { method: "DELETE" });
    expect(deleted.status).toBe(405);
    expect(deleted.headers.get("allow")).toBe("GET, HEAD, POST, OPTIONS");
    const archive = await fetch(new URL("newsletter/", h.url), { method: "POST", body: "" });
    expect(archive.status).toBe(405);
    expect(archive.headers.get("allow")).toBe("GET, HEAD, OPTIONS");
    const json = await fetch(new URL("subscribe", h.url), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(form("json@example.org")),
    });
    expect(json.status).toBe(415);
    const options = await fetch(new URL("subscribe", h.url), { method: "OPTIONS" });
    expect(options.status).toBe(204);
    expect(options.headers.get("allow")).toBe("GET, HEAD, POST, OPTIONS");
    expect(await h.ctx.subscribers.count()).toBe(0);
  });

  it("stops reading a chunked body past 16 KB and answers 413", async () => {
    h = await startWebHarness();
    const chunk = new TextEncoder().encode(`email=a%40example.org&name=${"x".repeat(4_000)}`);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        // Far more than the limit: the server must answer without waiting for the end.
        if (sent > 10_000_000) controller.close();
        else controller.enqueue(chunk);
        sent += chunk.length;
      },
    });
    const response = await fetch(new URL("subscribe", h.url), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body,
      duplex: "half",
    } as RequestInit);
    expect(response.status).toBe(413);
    expect(visibleText(await response.text())).toContain("Isian terlalu besar");
    expect(await h.ctx.subscribers.count()).toBe(0);
  });

  it("leaves static files and /healthz to the public folder", async () => {
    h = await startWebHarness();
    expect(await (await fetch(new URL("healthz", h.url))).json()).toEqual({ status: "ok" });
    expect((await fetch(new URL("subscribe.html", h.url))).status).toBe(404);
    expect((await fetch(new URL("feeds/rss.xml", h.url), { method: "POST" })).status).toBe(405);
  });
});

describe("clientAddress", () => {
  it("takes the socket's address, unmapping IPv4 on a dual-stack socket", () => {
    expect(clientAddress("::ffff:192.0.2.7", "198.51.100.1", false)).toBe("192.0.2.7");
    expect(clientAddress("2001:DB8::1", undefined, true)).toBe("2001:db8::1");
  });

  it("takes the last X-Forwarded-For hop behind a trusted proxy, without its port", () => {
    expect(clientAddress("127.0.0.1", "198.51.100.1, 192.0.2.8:4711", true)).toBe("192.0.2.8");
    expect(clientAddress("127.0.0.1", ["198.51.100.1", "[2001:db8::2]:443"], true)).toBe(
      "2001:db8::2",
    );
    expect(clientAddress("127.0.0.1", "not an address", true)).toBe("127.0.0.1");
  });
});
