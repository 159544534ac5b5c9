import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, skipWithoutChromium } from "../helpers/browser.js";
import { linkIn, startWebHarness, type WebHarness } from "./harness.js";

/*
 * Scripts run inside the page. They are plain JavaScript text because the project compiles
 * without the DOM library (Node types only).
 */

/** The problems of a page's form controls a screen reader user would meet. */
const accessibilityScript = `(() => {
  const problems = [];
  const controls = document.querySelectorAll("input:not([type=hidden]), select, textarea, button");
  for (const control of controls) {
    const name = control.id || control.outerHTML.slice(0, 60);
    const hasLabel = control.tagName === "BUTTON"
      ? control.textContent.trim() !== ""
      : control.labels.length > 0 && [...control.labels].every((label) => label.textContent.trim() !== "");
    if (!hasLabel) problems.push(name + ": no label");
    for (const id of (control.getAttribute("aria-describedby") || "").split(/\\s+/)) {
      if (id && !document.getElementById(id)) problems.push(name + ": describedby " + id + " missing");
    }
  }
  for (const choice of document.querySelectorAll("input[type=checkbox], input[type=radio]")) {
    const legend = choice.closest("fieldset")?.querySelector("legend");
    if (!legend || legend.textContent.trim() === "") problems.push(choice.id + ": no fieldset legend");
  }
  if (!document.documentElement.lang) problems.push("html: no lang");
  if (!document.querySelector('meta[name="viewport"]')) problems.push("no viewport meta");
  if (!document.querySelector("h1")) problems.push("no h1");
  return problems;
})()`;

function accessibilityProblems(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(accessibilityScript);
}

/** Contrast ratio (WCAG) of the text of the first element matching a selector. */
function contrastOf(page: Page, selector: string): Promise<number> {
  return page.evaluate<number>(`(() => {
    const element = document.querySelector(${JSON.stringify(selector)});
    const luminance = (value) => {
      const [r, g, b] = (value.match(/[\\d.]+/g) || []).slice(0, 3).map((c) => {
        const s = Number(c) / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    let background = "rgb(255, 255, 255)";
    for (let node = element; node; node = node.parentElement) {
      const color = getComputedStyle(node).backgroundColor;
      if (color !== "rgba(0, 0, 0, 0)" && color !== "transparent") {
        background = color;
        break;
      }
    }
    const a = luminance(getComputedStyle(element).color);
    const b = luminance(background);
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  })()`);
}

/** A computed style property of the first element matching a selector (or the focused one). */
function styleOf(page: Page, selector: string | null, property: string): Promise<string> {
  const target =
    selector === null
      ? "document.activeElement"
      : `document.querySelector(${JSON.stringify(selector)})`;
  return page.evaluate<string>(
    `getComputedStyle(${target}).getPropertyValue(${JSON.stringify(property)})`,
  );
}

describe.skipIf(skipWithoutChromium)("the subscription pages in Chromium", () => {
  let browser: Browser;
  let h: WebHarness | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it("subscribes, confirms, changes preferences and unsubscribes without JavaScript", async () => {
    h = await startWebHarness();
    const context = await browser.newContext({ javaScriptEnabled: false, locale: "en-US" });
    const page = await context.newPage();
    const violations: string[] = [];
    page.on("console", (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });

    await page.goto(new URL("subscribe", h.url).href);
    expect(await page.getAttribute("html", "lang")).toBe("en");
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.getByLabel("Email address").fill("browser@example.org");
    await page.getByLabel("Name (optional)").fill("Rani");
    await page.getByLabel("Once a week").check();
    await page.getByLabel("Ekonomi").check();
    await page.getByLabel("Time zone", { exact: true }).selectOption("Asia/Makassar");
    await page.getByRole("button", { name: "Subscribe" }).click();
    await page.waitForLoadState();
    expect(await page.textContent("h1")).toBe("Check your inbox");
    expect((await h.ctx.subscribers.byEmail("browser@example.org"))?.status).toBe("pending");

    const [mail] = await h.mails(1);
    expect(mail!.parsed.subject).toBe("Confirm your subscription to Warta Uji");
    const confirm = h.local(linkIn(mail!, "https://news.example.org/subscribe/confirm?token="));
    await page.goto(confirm);
    expect(await page.textContent("h1")).toBe("Confirm your subscription");
    expect(await accessibilityProblems(page)).toEqual([]);
    // Opening the link did not confirm: link scanners open it too.
    expect((await h.ctx.subscribers.byEmail("browser@example.org"))?.status).toBe("pending");
    await page.getByRole("button", { name: "Confirm my subscription" }).click();
    await page.waitForLoadState();
    expect(await page.textContent("h1")).toBe("You are subscribed");
    expect((await h.ctx.subscribers.byEmail("browser@example.org"))?.status).toBe("active");

    await page.getByRole("link", { name: "Manage preferences" }).click();
    await page.waitForLoadState();
    expect(await page.textContent("h1")).toBe("Newsletter preferences");
    expect(await accessibilityProblems(page)).toEqual([]);
    expect(await page.getByLabel("Once a week").isChecked()).toBe(true);
    expect(await page.getByLabel("Ekonomi").isChecked()).toBe(true);
    await page.getByLabel("Every day").check();
    await page.getByLabel("Ekonomi").uncheck();
    await page.getByLabel("Olahraga").check();
    await page.getByRole("button", { name: "Save" }).click();
    await page.waitForLoadState();
    expect(await page.textContent('[role="status"]')).toBe("Your preferences have been saved.");
    expect(await h.ctx.subscribers.byEmail("browser@example.org")).toMatchObject({
      frequency: "daily",
      categories: ["olahraga"],
      timezone: "Asia/Makassar",
      name: "Rani",
      status: "active",
    });

    await page.getByRole("link", { name: "Unsubscribe" }).click();
    await page.waitForLoadState();
    expect(await page.textContent("h1")).toBe("Unsubscribe");
    // Opening the page did not unsubscribe: link scanners open it too.
    expect((await h.ctx.subscribers.byEmail("browser@example.org"))?.status).toBe("active");
    await page.getByRole("button", { name: "Unsubscribe" }).click();
    await page.waitForLoadState();
    expect(await page.textContent("h1")).toBe("You have unsubscribed");
    expect((await h.ctx.subscribers.byEmail("browser@example.org"))?.status).toBe("unsubscribed");
    expect(await page.getByRole("link", { name: "Subscribe again" }).getAttribute("href")).toBe(
      "/subscribe?lang=en",
    );
    expect(violations).toEqual([]);
    await context.close();
  });

  it("renders both languages with their lang attribute, labels, focus outline and readable contrast", async () => {
    h = await startWebHarness();
    const context = await browser.newContext({ locale: "id-ID" });
    const page = await context.newPage();
    const violations: string[] = [];
    page.on("console", (message) => {
      if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
    });
    await page.goto(new URL("subscribe", h.url).href);
    expect(await page.getAttribute("html", "lang")).toBe("id");
    expect(await page.textContent("h1")).toBe("Berlangganan buletin");
    expect(await accessibilityProblems(page)).toEqual([]);
    for (const selector of ["h1", "label[for=email]", ".hint", "nav a", "button", "footer p"]) {
      expect(await contrastOf(page, selector), selector).toBeGreaterThanOrEqual(4.5);
    }
    // The stylesheet applied (the CSP hash matched it): buttons are styled.
    expect(await styleOf(page, "button", "background-color")).toBe("rgb(11, 87, 208)");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    expect(await styleOf(page, null, "outline-style")).toBe("solid");

    await page.getByRole("link", { name: "English" }).click();
    await page.waitForLoadState();
    expect(await page.getAttribute("html", "lang")).toBe("en");
    expect(await page.textContent("h1")).toBe("Subscribe to the newsletter");
    expect(await accessibilityProblems(page)).toEqual([]);

    // An error is tied to its field and announced.
    await page.getByLabel("Email address").fill("nobody");
    // The browser's own check of type=email is switched off to see the server's answer.
    await page.evaluate(`document.querySelector("form").setAttribute("novalidate", "")`);
    await page.getByRole("button", { name: "Subscribe" }).click();
    await page.waitForLoadState();
    expect(await page.getAttribute("#email", "aria-invalid")).toBe("true");
    const description = await page.evaluate<string>(
      `document.getElementById("email").getAttribute("aria-describedby").split(" ")
        .map((id) => document.getElementById(id).textContent).join(" ")`,
    );
    expect(description).toContain("Email address: enter a valid email address");
    expect(await accessibilityProblems(page)).toEqual([]);
    expect(await contrastOf(page, ".error")).toBeGreaterThanOrEqual(4.5);

    // Narrow screens: nothing wider than the viewport.
    await page.setViewportSize({ width: 320, height: 640 });
    const width = await page.evaluate<number>("document.documentElement.scrollWidth");
    expect(width).toBeLessThanOrEqual(320);
    expect(violations).toEqual([]);
    await context.close();
  });
});
