import { existsSync } from "node:fs";
import { type Browser, chromium, type LaunchOptions } from "playwright-core";

/** The Chromium the browser tests drive: $CHROMIUM_PATH, else Debian's /usr/bin/chromium. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/** Flags for a headless Chromium that runs as root in a container and stays off the network. */
export const chromiumArgs = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
];

/**
 * Whether browser tests should be skipped: only outside CI when Chromium is missing. In CI
 * (CI=true) they always run, so that a missing browser fails the build instead of hiding.
 *
 * @example describe.skipIf(skipWithoutChromium)("in a browser", () => { ... });
 */
export const skipWithoutChromium = !existsSync(chromiumPath) && process.env.CI !== "true";

/** Launches headless Chromium; rejects (never skips) when it cannot start. */
export async function launchChromium(options: LaunchOptions = {}): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(`browser: no Chromium at ${chromiumPath} (set CHROMIUM_PATH)`);
  }
  return chromium.launch({
    executablePath: chromiumPath,
    args: chromiumArgs,
    ...options,
  });
}
