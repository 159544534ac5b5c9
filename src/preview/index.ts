import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { errorMessage } from "../shared/errors.js";
import { screenshotPage } from "./screenshots.js";

export { chromiumArgs, type Screenshot, screenshotPage } from "./screenshots.js";

/** Viewport widths of the preview screenshots: a phone and a desktop mail client. */
export const previewWidths = [375, 1200] as const;

/** What writing a preview produced; `error` says why the screenshots are missing. */
export interface PreviewFiles {
  folder: string;
  /** Every file written, in order: digest.html, digest.txt, then the PNGs. */
  files: string[];
  error?: string;
}

/**
 * Writes a filled digest into `folder` as digest.html and digest.txt, then full-page
 * screenshots digest-375.png and digest-1200.png. The HTML and text are written even when the
 * screenshots fail (Chromium missing): the failure is returned in `error`, not thrown.
 */
export async function writePreview(
  folder: string,
  digest: { html: string; text: string },
  options: { chromium: string },
): Promise<PreviewFiles> {
  await mkdir(folder, { recursive: true });
  const htmlFile = path.join(folder, "digest.html");
  const textFile = path.join(folder, "digest.txt");
  await writeFile(htmlFile, digest.html);
  await writeFile(textFile, digest.text);
  const result: PreviewFiles = { folder, files: [htmlFile, textFile] };
  const shots = previewWidths.map((width) => ({
    width,
    file: path.join(folder, `digest-${width}.png`),
  }));
  try {
    await screenshotPage(htmlFile, shots, options.chromium);
    result.files.push(...shots.map((shot) => shot.file));
  } catch (error) {
    result.error = errorMessage(error);
  }
  return result;
}
