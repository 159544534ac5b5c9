import * as cheerio from "cheerio";
import { afterEach, describe, expect, it } from "vitest";
import { TokenSigner } from "../../src/subscriptions/tokens.js";
import { linkIn, startWebHarness, testSecret, visibleText, type WebHarness } from "./harness.js";

describe("the subscription form", () => {
  let h: WebHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("shows the form in the site language with every stored category and the Indonesian zones", async () => {
    h = await startWebHarness();
    const response = await fetch(new URL("subscribe", h.url));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    const csp = response.headers.get("content-security-policy")!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toContain("script-src");
    const $ = cheerio.load(await response.text());
    expect($("html").attr("lang")).toBe("id");
    expect($('meta[name="viewport"]').attr("content")).toContain("width=device-width");
    expect($("script").length).toBe(0);
    expect($('link[rel="stylesheet"]').length).toBe(0);
    const categories = $('input[name="categories"]')
      .map((_, el) => $(el).attr("value"))
      .get();
    expect(categories.sort()).toEqual(["ekonomi", "olahraga"]);
    expect($('input[name="categories"]').closest("fieldset").find("legend").text()).toBe(
      "Kategori",
    );
    const zones = $("#timezone option")
      .map((_, el) => $(el).attr("value"))
      .get();
    expect(zones).toEqual(["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura", "other"]);
    expect($("#timezone option[selected]").attr("value")).toBe("Asia/Jakarta");
    expect($('input[name="frequency"][checked]').attr("value")).toBe("daily");
    // Every visible control has a label pointing at it.
    $("input:not([type=hidden]), select").each((_, el) => {
      const id = $(el).attr("id");
      expect(id, $.html(el)).toBeTruthy();
      expect($(`label[for="${id}"]`).length, `label for ${id}`).toBe(1);
    });
    expect($(`form[method="post"]`).attr("action")).toBe("/subscribe");
  });

  it("speaks English when asked by ?lang=en or Accept-Language, and links to the other language", async () => {
    h = await startWebHarness();
    const byQuery = cheerio.load(await (await fetch(new URL("subscribe?lang=en", h.url))).text());
    expect(byQuery("html").attr("lang")).toBe("en");
    expect(byQuery("h1").text()).toBe("Subscribe to the newsletter");
    const switchLink = byQuery('a[hreflang="id"]');
    expect(switchLink.attr("href")).toBe("/subscribe?lang=id");
    expect(switchLink.attr("lang")).toBe("id");

    const byHeader = await fetch(new URL("subscribe", h.url), {
      headers: { "accept-language": "fr;q=1, en-GB;q=0.8, id;q=0.5" },
    });
    expect(byHeader.headers.get("content-language")).toBe("en");
    expect(byHeader.headers.get("vary")).toBe("Accept-Language");
    expect(
      cheerio
        .load(await byHeader.text())("html")
        .attr("lang"),
    ).toBe("en");

    const indonesian = cheerio.load(
      await (await fetch(new URL("subscribe?lang=id", h.url))).text(),
    );
    expect(indonesian("html").attr("lang")).toBe("id");
    expect(indonesian("h1").text()).toBe("Berlangganan buletin");
  });

  it("shows the form again with a 400 naming the field when the address is not valid", async () => {
    h = await startWebHarness();
    const response = await h.post("subscribe", {
      page_lang: "en",
      email: "not-an-address",
      name: "Sari",
      language: "en",
      frequency: "weekly",
      categories: ["olahraga"],
      timezone: "Asia/Makassar",
    });
    expect(response.status).toBe(400);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const $ = cheerio.load(await response.text());
    expect($("#email-error").text()).toContain("Email address");
    expect($("#email").attr("aria-invalid")).toBe("true");
    expect($("#email").attr("aria-describedby")).toContain("email-error");
    expect($(".errors a").attr("href")).toBe("#email");
    // What was typed is kept.
    expect($("#email").attr("value")).toBe("not-an-address");
    expect($("#name").attr("value")).toBe("Sari");
    expect($('input[name="frequency"][checked]').attr("value")).toBe("weekly");
    expect($('input[name="categories"][checked]').attr("value")).toBe("olahraga");
    expect($("#timezone option[selected]").attr("value")).toBe("Asia/Makassar");
    expect(await h.ctx.subscribers.count()).toBe(0);
  });

  it("refuses an unknown time zone typed as other, and accepts a known one", async () => {
    h = await startWebHarness();
    const bad = await h.post("subscribe", {
      email: "tz@example.org",
      language: "id",
      frequency: "daily",
      timezone: "other",
      timezone_other: "Mars/Olympus",
    });
    expect(bad.status).toBe(400);
    const $ = cheerio.load(await bad.text());
    expect($("#timezone_other-error").text()).toContain("Zona waktu");
    expect($("#timezone_other").attr("aria-describedby")).toContain("timezone_other-error");
    const good = await h.post("subscribe", {
      email: "tz@example.org",
      language: "id",
      frequency: "daily",
      timezone: "other",
      timezone_other: "asia/singapore",
    });
    expect(good.status).toBe(200);
    expect((await h.ctx.subscribers.byEmail("tz@example.org"))?.timezone).toBe("Asia/Singapore");
  });

  it("makes a new address pending with its consent and sends only a confirmation email in the chosen language", async () => {
    h = await startWebHarness({ newsletter: { confirm_hours: 12 } });
    const before = new Date();
    const response = await h.post("subscribe", {
      email: "  Budi@Example.ORG ",
      name: "Budi",
      language: "en",
      frequency: "weekly",
      categories: ["ekonomi"],
      timezone: "Asia/Jayapura",
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const $ = cheerio.load(await response.text());
    expect($("html").attr("lang")).toBe("en");
    expect($("h1").text()).toBe("Check your inbox");
    expect($.html()).not.toContain("budi@example.org");

    const stored = await h.ctx.subscribers.byEmail("budi@example.org");
    expect(stored).toMatchObject({
      status: "pending",
      name: "Budi",
      language: "en",
      frequency: "weekly",
      categories: ["ekonomi"],
      timezone: "Asia/Jayapura",
      consentSource: "form",
      consentIp: "127.0.0.1",
    });
    const [mail] = await h.mails(1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(h.sink.messages).toHaveLength(1);
    expect(mail!.envelopeTo).toEqual(["budi@example.org"]);
    expect(mail!.parsed.subject).toBe("Confirm your subscription to Warta Uji");
    expect(mail!.parsed.text).toContain("valid for 12 hours");
    const link = linkIn(mail!, "https://news.example.org/subscribe/confirm?token=");
    const token = new URL(link).searchParams.get("token")!;
    const claims = new TokenSigner(testSecret).verify(token, "confirm", new Date());
    expect(claims.subscriberId).toBe(stored!.id);
    const hours = (claims.expires!.getTime() - before.getTime()) / 3_600_000;
    expect(hours).toBeGreaterThan(11.9);
    expect(hours).toBeLessThanOrEqual(12.01);
    expect(mail!.parsed.html).toContain(link.replace(/&/g, "&amp;"));
  });

  it("answers new, pending, active and complained addresses alike, mailing each as its status wants", async () => {
    h = await startWebHarness();
    const now = new Date();
    const { subscribers } = h.ctx;
    await subscribers.create({ email: "pending@example.org", status: "pending" }, now);
    await subscribers.create({ email: "active@example.org", status: "active" }, now);
    await subscribers.create({ email: "complained@example.org", status: "complained" }, now);
    const answers: { status: number; text: string }[] = [];
    for (const who of ["new", "pending", "active", "complained"]) {
      const response = await h.post("subscribe", {
        email: `${who}@example.org`,
        language: "id",
        frequency: "daily",
        timezone: "Asia/Jakarta",
      });
      answers.push({ status: response.status, text: visibleText(await response.text()) });
    }
    for (const answer of answers) expect(answer).toEqual(answers[0]);
    expect(answers[0]!.status).toBe(200);

    const mails = await h.mails(3);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(mails).toHaveLength(3);
    const byRecipient = new Map(mails.map((m) => [m.envelopeTo[0], m.parsed.subject]));
    expect(byRecipient.get("new@example.org")).toBe("Konfirmasi langganan Warta Uji");
    expect(byRecipient.get("pending@example.org")).toBe("Konfirmasi langganan Warta Uji");
    expect(byRecipient.get("active@example.org")).toBe("Anda sudah berlangganan Warta Uji");
    expect(byRecipient.has("complained@example.org")).toBe(false);
    const reminder = mails.find((m) => m.envelopeTo[0] === "active@example.org")!;
    expect(linkIn(reminder, "https://news.example.org/preferences?token=")).toBeTruthy();
    expect(reminder.parsed.text).not.toContain("subscribe/confirm");
    expect((await subscribers.byEmail("active@example.org"))?.status).toBe("active");
    expect((await subscribers.byEmail("complained@example.org"))?.status).toBe("complained");
  });

  it("makes an unsubscribed or bounced address pending again and sends it a confirmation", async () => {
    h = await startWebHarness();
    const now = new Date();
    await h.ctx.subscribers.create({ email: "gone@example.org", status: "unsubscribed" }, now);
    await h.ctx.subscribers.create({ email: "bounced@example.org", status: "bounced" }, now);
    for (const email of ["gone@example.org", "bounced@example.org"]) {
      const response = await h.post("subscribe", {
        email,
        language: "id",
        frequency: "daily",
        timezone: "Asia/Jakarta",
      });
      expect(response.status).toBe(200);
      const stored = await h.ctx.subscribers.byEmail(email);
      expect(stored).toMatchObject({ status: "pending", consentSource: "form" });
    }
    const mails = await h.mails(2);
    expect(mails.map((m) => m.parsed.subject)).toEqual([
      "Konfirmasi langganan Warta Uji",
      "Konfirmasi langganan Warta Uji",
    ]);
  });
});
