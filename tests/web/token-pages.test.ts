import * as cheerio from "cheerio";
import { afterEach, describe, expect, it } from "vitest";
import { confirmUrl, subscriberLinks } from "../../src/subscriptions/links.js";
import { TokenSigner } from "../../src/subscriptions/tokens.js";
import { linkIn, startWebHarness, visibleText, type WebHarness } from "./harness.js";

describe("pages opened with a token", () => {
  let h: WebHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  async function subscribe(email: string, language = "id") {
    const response = await h!.post("subscribe", {
      email,
      language,
      frequency: "daily",
      timezone: "Asia/Jakarta",
    });
    expect(response.status).toBe(200);
    const mails = await h!.mails(h!.sink.messages.length + 1);
    return h!.local(linkIn(mails.at(-1)!, "https://news.example.org/subscribe/confirm?token="));
  }

  /** POSTs the button of a confirmation page: its form, with its hidden fields. */
  async function pressConfirm(html: string) {
    const $ = cheerio.load(html);
    const form = $('form[method="post"]');
    expect(form).toHaveLength(1);
    const fields: Record<string, string> = {};
    for (const input of form.find('input[type="hidden"]').toArray()) {
      fields[$(input).attr("name")!] = $(input).attr("value") ?? "";
    }
    return h!.post(form.attr("action")!, fields);
  }

  it("shows a button on GET and HEAD of the confirmation link, leaving the subscriber pending", async () => {
    h = await startWebHarness();
    const confirm = await subscribe("scan@example.org", "en");
    const first = await fetch(confirm);
    expect(first.status).toBe(200);
    expect(first.headers.get("cache-control")).toBe("no-store");
    expect(first.headers.get("referrer-policy")).toBe("no-referrer");
    expect(first.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(first.headers.get("content-security-policy")).toContain("form-action 'self'");
    const $ = cheerio.load(await first.text());
    expect($("html").attr("lang")).toBe("en");
    expect($("h1")).toHaveLength(1);
    expect($("h1").text()).toBe("Confirm your subscription");
    expect($("main").text()).toContain("scan@example.org");
    expect($('meta[name="robots"]').attr("content")).toContain("noindex");
    const form = $('main form[method="post"]');
    expect(form.attr("action")).toMatch(/^\/subscribe\/confirm\?token=confirm\./);
    expect(form.find('button[type="submit"]').text()).toBe("Confirm my subscription");
    expect($('a:contains("Manage preferences")')).toHaveLength(0);
    // A link scanner opening the link twice, and a HEAD, confirm nothing.
    expect((await fetch(confirm)).status).toBe(200);
    const head = await fetch(confirm, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("cache-control")).toBe("no-store");
    const stored = await h.ctx.subscribers.byEmail("scan@example.org");
    expect(stored?.status).toBe("pending");
    expect(stored?.confirmed ?? null).toBeNull();

    const indonesian = await fetch(`${confirm}&lang=id`);
    const id = cheerio.load(await indonesian.text());
    expect(id("html").attr("lang")).toBe("id");
    expect(id("h1").text()).toBe("Konfirmasi langganan");
    expect(id("main form button").text()).toBe("Ya, saya mau berlangganan");
    expect((await h.ctx.subscribers.byEmail("scan@example.org"))?.status).toBe("pending");
  });

  it("activates a pending subscriber on the POST of the button, again and again, linking to preferences", async () => {
    h = await startWebHarness();
    const confirm = await subscribe("sari@example.org", "en");
    const page = await fetch(confirm);
    expect((await h.ctx.subscribers.byEmail("sari@example.org"))?.status).toBe("pending");
    const first = await pressConfirm(await page.text());
    expect(first.status).toBe(200);
    expect(first.headers.get("cache-control")).toBe("no-store");
    expect(first.headers.get("referrer-policy")).toBe("no-referrer");
    expect(first.headers.get("content-security-policy")).toContain("default-src 'none'");
    const $ = cheerio.load(await first.text());
    expect($("html").attr("lang")).toBe("en");
    expect($("h1").text()).toBe("You are subscribed");
    expect($('meta[name="robots"]').attr("content")).toContain("noindex");
    const preferences = $('a:contains("Manage preferences")').attr("href")!;
    expect(preferences).toMatch(/^\/preferences\?token=manage\./);
    const stored = await h.ctx.subscribers.byEmail("sari@example.org");
    expect(stored?.status).toBe("active");
    expect(stored?.confirmed).toBeInstanceOf(Date);
    // Once active, the link shows the confirmed page directly; a second POST changes nothing.
    const again = await fetch(confirm);
    expect(again.status).toBe(200);
    expect(
      cheerio
        .load(await again.text())("h1")
        .text(),
    ).toBe("You are subscribed");
    const token = new URL(confirm).searchParams.get("token")!;
    const posted = await h.post(`subscribe/confirm?token=${encodeURIComponent(token)}`, {});
    expect(posted.status).toBe(200);
    expect(
      cheerio
        .load(await posted.text())("h1")
        .text(),
    ).toBe("You are subscribed");
    expect(await h.ctx.subscribers.byEmail("sari@example.org")).toMatchObject({
      status: "active",
      confirmed: stored?.confirmed,
    });
    expect((await fetch(new URL(preferences, h.url))).status).toBe(200);
  });

  it("confirms with the token in the form body and answers in the page's language", async () => {
    h = await startWebHarness();
    const confirm = await subscribe("body@example.org", "en");
    const token = new URL(confirm).searchParams.get("token")!;
    const posted = await h.post("subscribe/confirm", { token, page_lang: "id" });
    expect(posted.status).toBe(200);
    const $ = cheerio.load(await posted.text());
    expect($("html").attr("lang")).toBe("id");
    expect($("h1").text()).toBe("Langganan aktif");
    expect((await h.ctx.subscribers.byEmail("body@example.org"))?.status).toBe("active");
  });

  it("does not confirm an unsubscribed subscriber's old link, on GET or POST", async () => {
    h = await startWebHarness();
    const confirm = await subscribe("gone@example.org", "en");
    const subscriber = (await h.ctx.subscribers.byEmail("gone@example.org"))!;
    await h.ctx.subscribers.setStatus(subscriber.id, "unsubscribed", new Date());
    expect((await fetch(confirm)).status).toBe(410);
    const token = new URL(confirm).searchParams.get("token")!;
    expect((await h.post("subscribe/confirm", { token })).status).toBe(410);
    expect((await h.ctx.subscribers.byEmail("gone@example.org"))?.status).toBe("unsubscribed");
  });

  it("explains an expired confirmation link and offers the form again, leaving the subscriber pending", async () => {
    h = await startWebHarness({ newsletter: { confirm_hours: 2 } });
    const { subscriber } = await h.ctx.subscribers.create(
      { email: "late@example.org", status: "pending", language: "en" },
      new Date(),
    );
    const threeHoursAgo = new Date(Date.now() - 3 * 3_600_000);
    const link = confirmUrl(h.config.site.base_url, h.ctx.tokens, subscriber, threeHoursAgo, 2);
    const response = await fetch(h.local(link));
    expect(response.status).toBe(410);
    const $ = cheerio.load(await response.text());
    expect($("h1").text()).toBe("Tautan sudah kedaluwarsa");
    expect($('a:contains("Isi formulir langganan")').attr("href")).toBe("/subscribe?lang=id");
    const token = new URL(link).searchParams.get("token")!;
    const posted = await h.post(`subscribe/confirm?token=${encodeURIComponent(token)}`, { token });
    expect(posted.status).toBe(410);
    expect(
      cheerio
        .load(await posted.text())("h1")
        .text(),
    ).toBe("Tautan sudah kedaluwarsa");
    expect((await h.ctx.subscribers.byEmail("late@example.org"))?.status).toBe("pending");
  });

  it("answers a tampered link with the same 400 whether or not the subscriber exists", async () => {
    h = await startWebHarness();
    const now = new Date();
    const { subscriber } = await h.ctx.subscribers.create(
      { email: "real@example.org", status: "pending" },
      now,
    );
    const good = h.ctx.tokens.sign("confirm", subscriber, now, 3600);
    const flipped = `${good.slice(0, -1)}${good.endsWith("A") ? "B" : "A"}`;
    const otherKey = new TokenSigner("another-secret-another-secret-0123456789");
    const forged = otherKey.sign("confirm", { id: 999, email: "nobody@example.org" }, now, 3600);
    const unknown = h.ctx.tokens.sign(
      "confirm",
      { id: 999, email: "nobody@example.org" },
      now,
      3600,
    );
    const manageAsConfirm = h.ctx.tokens.sign("manage", subscriber, now);
    const answers: { status: number; body: string }[] = [];
    for (const token of [flipped, forged, unknown, manageAsConfirm, "", "garbage"]) {
      const response = await fetch(
        new URL(`subscribe/confirm?token=${encodeURIComponent(token)}`, h.url),
      );
      answers.push({ status: response.status, body: await response.text() });
    }
    for (const token of [flipped, forged, unknown, manageAsConfirm, "", "garbage"]) {
      const response = await h.post(`subscribe/confirm?token=${encodeURIComponent(token)}`, {
        token,
      });
      answers.push({ status: response.status, body: await response.text() });
    }
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    expect(answers[0]!.status).toBe(400);
    expect(visibleText(answers[0]!.body)).toContain("Tautan tidak valid");
    expect((await h.ctx.subscribers.byEmail("real@example.org"))?.status).toBe("pending");
    for (const page of ["preferences", "unsubscribe"]) {
      const a = await fetch(new URL(`${page}?token=${encodeURIComponent(flipped)}`, h.url));
      const b = await fetch(new URL(`${page}?token=${encodeURIComponent(forged)}`, h.url));
      expect(a.status).toBe(400);
      expect(b.status).toBe(400);
      expect(await a.text()).toBe(await b.text());
    }
  });

  it("shows the preferences prefilled to the token holder, saves changes and says so", async () => {
    h = await startWebHarness();
    const now = new Date();
    const { subscriber } = await h.ctx.subscribers.create(
      {
        email: "pref@example.org",
        name: "Pref",
        language: "id",
        frequency: "daily",
        categories: ["ekonomi"],
        timezone: "Europe/Berlin",
        status: "active",
      },
      now,
    );
    const { preferences, token } = subscriberLinks(
      h.config.site.base_url,
      h.ctx.tokens,
      subscriber,
      now,
    );
    const page = await fetch(h.local(preferences));
    expect(page.status).toBe(200);
    expect(page.headers.get("cache-control")).toBe("no-store");
    let $ = cheerio.load(await page.text());
    expect($("html").attr("lang")).toBe("id");
    expect($("main").text()).toContain("pref@example.org");
    expect($("#name").attr("value")).toBe("Pref");
    expect($('input[name="frequency"][checked]').attr("value")).toBe("daily");
    expect($('input[name="language"][checked]').attr("value")).toBe("id");
    expect(
      $('input[name="categories"][checked]')
        .map((_, el) => $(el).attr("value"))
        .get(),
    ).toEqual(["ekonomi"]);
    expect($("#timezone option[selected]").attr("value")).toBe("other");
    expect($("#timezone_other").attr("value")).toBe("Europe/Berlin");
    expect($('input[name="token"]').attr("value")).toBe(token);

    const saved = await h.post("preferences", {
      token,
      page_lang: "id",
      name: "",
      language: "en",
      frequency: "weekly",
      categories: ["olahraga", "ekonomi", "unknown"],
      timezone: "Asia/Makassar",
      timezone_other: "",
    });
    expect(saved.status).toBe(200);
    $ = cheerio.load(await saved.text());
    expect($("html").attr("lang")).toBe("en");
    expect($('[role="status"]').text()).toBe("Your preferences have been saved.");
    expect($('input[name="frequency"][checked]').attr("value")).toBe("weekly");
    const stored = await h.ctx.subscribers.byEmail("pref@example.org");
    expect(stored).toMatchObject({
      language: "en",
      frequency: "weekly",
      categories: ["ekonomi", "olahraga"],
      timezone: "Asia/Makassar",
      status: "active",
    });
    expect(stored?.name).toBeUndefined();

    const refused = await h.post("preferences", {
      token,
      page_lang: "en",
      language: "en",
      frequency: "hourly",
      timezone: "Asia/Makassar",
    });
    expect(refused.status).toBe(400);
    $ = cheerio.load(await refused.text());
    expect($("#frequency-error").text()).toContain("How often");
    expect($("#frequency-daily").attr("aria-describedby")).toBe("frequency-error");
    expect((await h.ctx.subscribers.byEmail("pref@example.org"))?.frequency).toBe("weekly");

    const forged = await h.post("preferences", {
      token: `${token}x`,
      language: "id",
      frequency: "daily",
      timezone: "Asia/Jakarta",
    });
    expect(forged.status).toBe(400);
  });

  it("never unsubscribes on GET; a one-click POST unsubscribes at once, idempotently", async () => {
    h = await startWebHarness();
    const now = new Date();
    const { subscriber } = await h.ctx.subscribers.create(
      { email: "one@example.org", status: "active", language: "en" },
      now,
    );
    const { unsubscribe } = subscriberLinks(h.config.site.base_url, h.ctx.tokens, subscriber, now);
    const local = h.local(unsubscribe);
    for (const method of ["GET", "HEAD"]) {
      const response = await fetch(local, { method });
      expect(response.status).toBe(200);
      expect(response.headers.get("cache-control")).toBe("no-store");
    }
    const page = cheerio.load(await (await fetch(local)).text());
    expect(page("html").attr("lang")).toBe("en");
    expect(page("form").attr("method")).toBe("post");
    expect(page("button").text()).toBe("Unsubscribe");
    expect(page.html()).not.toContain("one@example.org");
    expect((await h.ctx.subscribers.byEmail("one@example.org"))?.status).toBe("active");

    for (let i = 0; i < 2; i += 1) {
      const started = performance.now();
      const response = await fetch(local, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "List-Unsubscribe=One-Click",
      });
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("text/plain; charset=utf-8");
      expect((await response.text()).length).toBeLessThan(80);
      expect(performance.now() - started).toBeLessThan(2_000);
    }
    const stored = await h.ctx.subscribers.byEmail("one@example.org");
    expect(stored?.status).toBe("unsubscribed");
    expect(stored?.unsubscribed).toBeInstanceOf(Date);
    expect(h.sink.messages).toHaveLength(0);
  });

  it("unsubscribes from the page's button and links to subscribing again", async () => {
    h = await startWebHarness();
    const now = new Date();
    const { subscriber } = await h.ctx.subscribers.create(
      { email: "button@example.org", status: "active", language: "id" },
      now,
    );
    const { unsubscribe } = subscriberLinks(h.config.site.base_url, h.ctx.tokens, subscriber, now);
    const $page = cheerio.load(await (await fetch(h.local(unsubscribe))).text());
    const action = $page("form").attr("action")!;
    const response = await h.post(action.slice(1), { via: "page" });
    expect(response.status).toBe(200);
    const $ = cheerio.load(await response.text());
    expect($("h1").text()).toBe("Anda sudah berhenti berlangganan");
    expect($('a:contains("Berlangganan lagi")').attr("href")).toBe("/subscribe?lang=id");
    expect((await h.ctx.subscribers.byEmail("button@example.org"))?.status).toBe("unsubscribed");
    // Once more: still the same page, nothing changes.
    expect((await h.post(action.slice(1), { via: "page" })).status).toBe(200);
    // A complaint is not turned into an unsubscription.
    const { subscriber: complained } = await h.ctx.subscribers.create(
      { email: "spam@example.org", status: "complained" },
      now,
    );
    const links = subscriberLinks(h.config.site.base_url, h.ctx.tokens, complained, now);
    expect(
      (
        await fetch(h.local(links.unsubscribe), {
          method: "POST",
          body: "List-Unsubscribe=One-Click",
        })
      ).status,
    ).toBe(200);
    expect((await h.ctx.subscribers.byEmail("spam@example.org"))?.status).toBe("complained");
  });
});
