import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import * as cheerio from "cheerio";
import { afterEach, describe, expect, it } from "vitest";
import { startWebHarness, type WebHarness } from "./harness.js";

describe("the newsletter archive", () => {
  let h: WebHarness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("lists the editions with a web version, newest first, linking to newsletter/<id>/", async () => {
    h = await startWebHarness();
    const empty = cheerio.load(await (await fetch(new URL("newsletter/", h.url))).text());
    expect(empty("main").text()).toContain("Belum ada edisi.");

    const ids: number[] = [];
    for (const [subject, day] of [
      ["Edisi Senin", 6],
      ["Edisi Selasa", 7],
      ["Draf", 8],
    ] as const) {
      const edition = await h.ctx.editions.create(
        {
          subject,
          html: `<p>${subject}</p>`,
          text: subject,
          periodStart: null,
          periodEnd: new Date(Date.UTC(2024, 4, day)),
          articleIds: [],
          recipients: [],
        },
        new Date(Date.UTC(2024, 4, day, 1)),
      );
      ids.push(edition.id);
    }
    // The publish job writes web versions; the last edition has none yet.
    for (const id of ids.slice(0, 2)) {
      const folder = path.join(h.config.paths.public, "newsletter", String(id));
      mkdirSync(folder, { recursive: true });
      writeFileSync(path.join(folder, "index.html"), `<p>${id}</p>`);
    }
    const response = await fetch(new URL("newsletter/?lang=en", h.url));
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("public, max-age=300");
    const $ = cheerio.load(await response.text());
    expect($("html").attr("lang")).toBe("en");
    const items = $(".editions li")
      .map((_, li) => ({ text: $(li).find("a").text(), href: $(li).find("a").attr("href") }))
      .get();
    expect(items).toEqual([
      { text: "Edisi Selasa", href: `/newsletter/${ids[1]}/` },
      { text: "Edisi Senin", href: `/newsletter/${ids[0]}/` },
    ]);
    expect($(".editions time").first().text()).toBe("7 May 2024");
    // The web version itself is still the static file.
    expect(await (await fetch(new URL(`newsletter/${ids[0]}/`, h.url))).text()).toBe(
      `<p>${ids[0]}</p>`,
    );
    const redirect = await fetch(new URL("newsletter", h.url), { redirect: "manual" });
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get("location")).toBe("/newsletter/");
  });
});
