import type { Command } from "commander";
import { extractInputs } from "../pipeline/extract-inputs.js";
import { type CliOutput, type ContextOpener, withContext } from "./context.js";

/** `warta extract FILE_OR_URL...`: prints the article of each page as one JSON line. */
export function registerExtract(program: Command, open: ContextOpener, io: CliOutput) {
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
      await withContext(open, command.optsWithGlobals(), async (ctx) => {
        const records = extractInputs(inputs, {
          fetcher: ctx.fetcher,
          ...(options.url !== undefined ? { pageUrl: options.url } : {}),
          timezone: ctx.config.site.timezone,
          language: ctx.config.site.language,
        });
        for await (const record of records) {
          io.out(JSON.stringify(record));
          if ("error" in record) io.fail();
        }
      });
    });
}
