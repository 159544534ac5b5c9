import type { Command } from "commander";
import { extractInputs } from "../pipeline/index.js";
import type { CliOutput, SettingsLoader } from "./context.js";

/** `warta extract FILE_OR_URL...`: prints the article of each page as one JSON line. */
export function registerExtract(program: Command, load: SettingsLoader, io: CliOutput) {
  program
    .command("extract")
    .description(
      "extract the article of HTML pages (.html, .html.gz), page captures (.txt) or URLs, one JSON object per line",
    )
    .argument("<inputs...>", "files or http(s) URLs")
    .option("--url <page-url>", "the page's own URL, for a single local file (resolves its links)")
    .action(async (inputs: string[], options: { url?: string }, command: Command) => {
      if (options.url !== undefined && inputs.length !== 1) {
        command.error("extract: --url applies to a single input", { exitCode: 2 });
      }
      // No store is opened: extracting pages leaves nothing behind.
      const { config, fetcher } = await load(command.optsWithGlobals());
      const records = extractInputs(inputs, {
        fetcher,
        ...(options.url !== undefined ? { pageUrl: options.url } : {}),
        timezone: config.site.timezone,
        language: config.site.language,
      });
      for await (const record of records) {
        io.out(JSON.stringify(record));
        if ("error" in record) io.fail();
      }
    });
}
