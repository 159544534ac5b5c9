import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { AppError, errorMessage } from "../shared/errors.js";

/** Flags of the headless browser: no sandbox (containers), no GPU, no background requests. */
export const chromiumArgs = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
] as const;

/** Where a screenshot was written, and at which viewport width. */
export interface Screenshot {
  width: number;
  file: string;
}

/**
 * Takes a full-page PNG of a local HTML file at each width, in headless Chromium. Only the page
 * itself and data:/file: URLs load: remote images, fonts and trackers are blocked, so a preview
 * downloads nothing. Throws AppError JOB_FAILED naming the path when Chromium is missing or
 * does not start.
 * @example
 * await screenshotPage("out/digest.html", [
 *   { width: 375, file: "out/digest-375.png" },
 *   { width: 1200, file: "out/digest-1200.png" },
 * ], "/usr/bin/chromium");
 */
export async function screenshotPage(
  htmlFile: string,
  shots: Screenshot[],
  executablePath: string,
): Promise<void> {
  if (!existsSync(executablePath)) {
    throw new AppError(
      "JOB_FAILED",
      `preview: Chromium not found at ${executablePath} (install it or set preview.chromium)`,
    );
  }
  let browser: Awaited<ReturnType<typeof chromium.launch>>;
  try {
    browser = await chromium.launch({
      executablePath,
      args: [...chromiumArgs],
      headless: true,
      timeout: 60_000,
    });
  } catch (cause) {
    throw new AppError(
      "JOB_FAILED",
      `preview: cannot start Chromium at ${executablePath}: ${errorMessage(cause)}`,
      { cause },
    );
  }
  try {
    const pageUrl = pathToFileURL(htmlFile).href;
    for (const shot of shots) {
      const page = await browser.newPage({
        viewport: { width: shot.width, height: 800 },
        deviceScaleFactor: 1,
        javaScriptEnabled: false,
      });
      await page.route("**/*", (route) => {
        const url = route.request().url();
        const local = url === pageUrl || url.startsWith("data:") || url.startsWith("file:");
        return local ? route.continue() : route.abort("blockedbyclient");
      });
      await page.goto(pageUrl, { waitUntil: "load" });
      // The whole height, but only the viewport's width: a blocked image keeps its width
      // attribute and could widen the page past what a phone shows.
      const height = Number(await page.evaluate("document.documentElement.scrollHeight"));
      await page.screenshot({
        path: shot.file,
        fullPage: true,
        clip: { x: 0, y: 0, width: shot.width, height: Math.max(1, height) },
        type: "png",
      });
      await page.close();
    }
  } finally {
    await browser.close();
  }
}
