import path from "node:path";
import { type Command, InvalidArgumentError } from "commander";
import type { Frequency } from "../domain/subscriber.js";
import { parseSegment, runDigest, runPreview } from "../pipeline/index.js";
import { type CliOutput, type ContextOpener, withContext } from "./context.js";
import { formatCompose, formatImport, formatSend, showPath } from "./format.js";

function frequencyOption(value: string): Frequency {
  if (value === "daily" || value === "weekly") return value;
  throw new InvalidArgumentError("expected daily or weekly");
}

function languageOption(value: string): string {
  const language = value.trim().toLowerCase();
  if (!/^[a-z]{2,3}(-[a-z0-9]{1,8})*$/.test(language)) {
    throw new InvalidArgumentError("expected a language tag such as id or en");
  }
  return language;
}

/** `warta digest`: composes a digest for every subscriber now and sends it, or previews one. */
export function registerDigest(program: Command, open: ContextOpener, io: CliOutput) {
  program
    .command("digest")
    .description(
      "compose a digest now for every subscriber group (time zone, frequency, language, categories) and send it",
    )
    .option(
      "--preview <dir>",
      "write the next edition of one segment to DIR (digest.html, digest.txt, PNG screenshots); store and send nothing",
    )
    .option(
      "--language <tag>",
      "language of the previewed segment (default: site.language)",
      languageOption,
    )
    .option(
      "--categories <slugs>",
      "categories of the previewed segment, comma-separated (default: all)",
    )
    .option("--frequency <daily|weekly>", "frequency of the previewed segment", frequencyOption)
    .action(
      async (
        options: {
          preview?: string;
          language?: string;
          categories?: string;
          frequency?: Frequency;
        },
        command: Command,
      ) => {
        const globals = command.optsWithGlobals();
        if (options.preview) {
          const folder = path.resolve(options.preview);
          const request: Parameters<typeof runPreview>[1] = {
            folder,
            categories: parseSegment(options.categories),
          };
          if (options.language) request.language = options.language;
          if (options.frequency) request.frequency = options.frequency;
          const { preview, files } = await withContext(open, globals, (ctx) =>
            runPreview(ctx, request),
          );
          if (!preview || !files) {
            io.out("digest: nothing to preview (no new article for this segment)");
            return;
          }
          io.out(
            `digest: preview "${preview.rendered.subject}" with ${preview.articles.length} articles ` +
              `(${preview.slot.frequency}, ${preview.segment.language}, ` +
              `${preview.segment.categories.length > 0 ? preview.segment.categories.join(", ") : "all categories"})`,
          );
          for (const file of files.files) io.out(`  ${showPath(file)}`);
          if (files.error) {
            io.err(`warta: ${files.error}`);
            io.fail();
          }
          return;
        }
        const summary = await withContext(open, globals, (ctx) => runDigest(ctx, { byHand: true }));
        if (summary.imported) for (const line of formatImport(summary.imported)) io.out(line);
        for (const line of formatCompose(summary.compose)) io.out(line);
        for (const line of formatSend(summary.send)) io.out(line);
        if (summary.send.failed > 0 || summary.send.left > 0) io.fail();
      },
    );
}
