import { type CheerioAPI, load } from "cheerio";
import type { AnyNode, Element } from "domhandler";
import { describe, expect, it } from "vitest";
import { PersonalizedTemplate, renderDigest } from "../../src/compose/index.js";
import {
  makeArticle,
  makeArticles,
  makeContent,
  makeLongArticles,
  makeOptions,
  makeRecipient,
  makeSite,
} from "./fixtures.js";

async function renderFilled(...args: Parameters<typeof renderDigest>) {
  const digest = await renderDigest(...args);
  const recipient = makeRecipient();
  return {
    digest,
    html: PersonalizedTemplate.compile(digest.html, "html").fill(recipient),
    text: PersonalizedTemplate.compile(digest.text, "text").fill(recipient),
  };
}

/** WCAG relative luminance of a #rrggbb colour. */
function luminance(hex: string): number {
  const full = hex.length === 4 ? `#${[...hex.slice(1)].map((c) => c + c).join("")}` : hex;
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = Number.parseInt(full.slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

const colourPattern = /(?:^|[;\s])color:\s*(#[0-9a-fA-F]{3,6})\b/;
const backgroundPattern = /background(?:-color)?:\s*(#[0-9a-fA-F]{3,6})\b/;

function inlineColour(el: Element): string | undefined {
  return colourPattern.exec(el.attribs.style ?? "")?.[1]?.toLowerCase();
}

function inlineBackground(el: Element): string | undefined {
  return (backgroundPattern.exec(el.attribs.style ?? "")?.[1] ?? el.attribs.bgcolor)?.toLowerCase();
}

/** The rules of the dark-mode media query: selector and declared colour or background. */
function darkRules(html: string): Array<{ selector: string; color?: string; background?: string }> {
  const block = /@media \(prefers-color-scheme: dark\) \{([\s\S]*?\})\s*\}/.exec(html)?.[1];
  expect(block, "dark-mode media query").toBeDefined();
  return [...(block ?? "").matchAll(/([^{}]+)\{([^}]*)\}/g)].map((rule) => ({
    selector: rule[1]!.trim(),
    color: colourPattern.exec(rule[2]!)?.[1]?.toLowerCase(),
    background: backgroundPattern.exec(rule[2]!)?.[1]?.toLowerCase(),
  }));
}

/** Elements that show text of their own and set its colour inline (the hidden preheader aside). */
function colouredText($: CheerioAPI): Element[] {
  return $("body *")
    .toArray()
    .filter((el): el is Element => el.type === "tag" && inlineColour(el) !== undefined)
    .filter((el) => !$(el).closest('[style*="display:none"]').length)
    .filter((el) =>
      el.children.some((child: AnyNode) => child.type === "text" && child.data.trim() !== ""),
    );
}

describe("the digest HTML in mail clients", () => {
  it("declares light and dark colour schemes and styles for dark mode", async () => {
    const { html } = await renderFilled(makeContent(makeArticles()), makeOptions());
    const $ = load(html);
    expect($('head meta[name="color-scheme"]').attr("content")).toBe("light dark");
    expect($('head meta[name="supported-color-schemes"]').attr("content")).toBe("light dark");
    const css = $("head style").text();
    expect(css).toContain("prefers-color-scheme: dark");
    // Outlook.com's forced dark mode marks the elements it recolours.
    expect(css).toContain("[data-ogsc]");
  });

  it("keeps text readable (contrast at least 4.5:1) in light and in dark mode", async () => {
    const articles = makeLongArticles(6);
    const { html } = await renderFilled(makeContent(articles), makeOptions({ fullArticles: 3 }));
    const $ = load(html);
    const rules = darkRules(html);
    const elements = colouredText($);
    // Masthead, greeting, cards, headline list and footer all have coloured text.
    expect(elements.length).toBeGreaterThan(20);

    const lightBackground = (el: Element): string => {
      for (let node: Element | null = el; node; node = node.parent as Element | null) {
        if (node.type !== "tag") break;
        const background = inlineBackground(node);
        if (background) return background;
      }
      return "#ffffff";
    };
    const darkValue = (el: Element, key: "color" | "background"): string | undefined => {
      let found: string | undefined;
      for (const rule of rules) if (rule[key] && $(el).is(rule.selector)) found = rule[key];
      return found;
    };
    const darkBackground = (el: Element): string => {
      for (let node: Element | null = el; node; node = node.parent as Element | null) {
        if (node.type !== "tag") break;
        const background = darkValue(node, "background") ?? inlineBackground(node);
        if (background) return background;
      }
      return "#ffffff";
    };

    for (const el of elements) {
      const label = `${el.name}.${el.attribs.class ?? ""} "${$(el).text().trim().slice(0, 30)}"`;
      const light = inlineColour(el)!;
      expect(contrast(light, lightBackground(el)), `light ${label}`).toBeGreaterThanOrEqual(4.5);
      // In dark mode an element keeps its inline colour unless a dark rule matches it.
      const dark = darkValue(el, "color") ?? light;
      expect(contrast(dark, darkBackground(el)), `dark ${label}`).toBeGreaterThanOrEqual(4.5);
    }
  });

  it("gives every image alt text, a width and a height and an absolute URL", async () => {
    const articles = [
      makeArticle("relatif", {
        url: "https://warta.example.org/berita/relatif",
        title: "Banjir di hulu",
        image: { url: "../media/banjir.jpg", width: 800, height: 600 },
      }),
      makeArticle("besar", {
        image: { url: "https://cdn.example.net/b.png", alt: "Peta", width: 2000, height: 500 },
      }),
    ];
    const { html } = await renderFilled(makeContent(articles), makeOptions());
    const $ = load(html);
    const images = $("img").toArray();
    expect(images.length).toBe(2);
    for (const img of images) {
      const { src, alt, width, height } = img.attribs;
      expect(new URL(src!).protocol).toBe("https:");
      expect(alt?.trim()).not.toBe("");
      expect(Number(width)).toBeGreaterThan(0);
      expect(Number(height)).toBeGreaterThan(0);
      // Never wider than the 600px body less its padding.
      expect(Number(width)).toBeLessThanOrEqual(552);
    }
    const relative = $("img").filter((_, el) => el.attribs.src?.includes("banjir") ?? false);
    expect(relative.attr("src")).toBe("https://warta.example.org/media/banjir.jpg");
    // Without alt text of its own, the image (a link to the article) is named by the title.
    expect(relative.attr("alt")).toBe("Banjir di hulu");
    // Height kept in proportion: 2000x500 shown 552 wide.
    const wide = $("img").filter((_, el) => el.attribs.alt === "Peta");
    expect(Number(wide.attr("height"))).toBe(Math.round((500 * 552) / 2000));
  });

  it("has a preheader naming the article count and the first titles", async () => {
    const articles = makeArticles();
    const { digest } = await renderFilled(makeContent(articles), makeOptions());
    const $ = load(digest.html);
    // MJML puts mj-preview first in the body, hidden.
    const preview = $("body > div").first().text().trim();
    expect(preview.startsWith("3 artikel")).toBe(true);
    for (const article of articles) expect(preview).toContain(article.title);
    expect(preview).not.toMatch(/[\uE000\uE001]/);
  });
});

describe("the language of an edition", () => {
  /** Friday 3 May 20:00 UTC: already Saturday 4 May in Jakarta. */
  const lateFriday = new Date("2024-05-03T20:00:00Z");

  it("writes an English edition of an Indonesian site in English, dated in its time zone", async () => {
    const { html, text } = await renderFilled(
      makeContent(makeLongArticles(4), "en"),
      makeOptions({ language: "en", timezone: "UTC", date: lateFriday, fullArticles: 2 }),
    );
    const $ = load(html);
    expect($("html").attr("lang")).toBe("en");
    expect($(".warta-web").text()).toBe("View in browser");
    expect($(".warta-unsubscribe").text()).toBe("Unsubscribe");
    expect($(".warta-preferences").text()).toBe("Manage preferences");
    expect($(".warta-more a").first().text()).toContain("Read more");
    expect($(".warta-headlines-note").text().trim()).toBe("2 more articles as headlines");
    expect($(".warta-edition time").attr("datetime")).toBe("2024-05-03");
    expect($(".warta-edition").text()).toContain("Friday");
    const lines = text.split("\n");
    expect(lines[1]?.startsWith("Friday")).toBe(true);
    expect(lines.some((line) => line.startsWith("View in browser: https://"))).toBe(true);
    expect(lines.some((line) => line.startsWith("Unsubscribe: https://"))).toBe(true);
    expect(text).toContain("2 more articles as headlines");
  });

  it("writes an Indonesian edition of an English site in Indonesian", async () => {
    const site = makeSite({ language: "en", timezone: "UTC" });
    const { html, text } = await renderFilled(
      makeContent(makeLongArticles(4)),
      makeOptions({ site, language: "id", timezone: "Asia/Jakarta", date: lateFriday }),
    );
    const $ = load(html);
    expect($("html").attr("lang")).toBe("id");
    expect($(".warta-web").text()).toBe("Lihat di browser");
    expect($(".warta-unsubscribe").text()).toBe("Berhenti berlangganan");
    expect($(".warta-edition time").attr("datetime")).toBe("2024-05-04");
    expect(text.split("\n")[1]?.startsWith("Sabtu, 4 Mei 2024")).toBe(true);
  });

  it("defaults to the site's language and time zone", async () => {
    const site = makeSite({ language: "en", timezone: "UTC" });
    const { html } = await renderFilled(
      makeContent(makeArticles()),
      makeOptions({ site, date: lateFriday }),
    );
    const $ = load(html);
    expect($("html").attr("lang")).toBe("en");
    expect($(".warta-web").text()).toBe("View in browser");
    expect($(".warta-edition time").attr("datetime")).toBe("2024-05-03");
  });
});
