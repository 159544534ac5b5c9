import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Command } from "commander";
import { runDigest, runPreview } from "../pipeline/index.js";
import { type CliOutput, type ContextOpener, withContext } from "./context.js";
import { formatCompose, formatImport, formatSend, showPath } from "./format.js";

/** `warta digest`: composes the next edition and sends it, or previews it. */
export function registerDigest(program: Command, open: ContextOpener, io: CliOutput) {
  program
    .command("digest")
    .description("compose the next edition from the new articles and send it to the subscribers")
    .option("--preview <file>", "write the next edition's HTML to FILE; store and send nothing")
    .action(async (options: { preview?: string }, command: Command) => {
      const globals = command.optsWithGlobals();
      if (options.preview) {
        const file = path.resolve(options.preview);
        const preview = await withContext(open, globals, runPreview);
        if (!preview) {
          io.out("digest: nothing to preview (no new articles since the last edition)");
          return;
        }
        await mkdir(path.dirname(file), { recursive: true });
        await writeFile(file, preview.rendered.html);
        io.out(
          `digest: preview "${preview.rendered.subject}" with ${preview.articles.length} articles`,
        );
        io.out(`  ${showPath(file)}`);
        return;
      }
      const summary = await withContext(open, globals, runDigest);
      if (summary.imported) for (const line of formatImport(summary.imported)) io.out(line);
      for (const line of formatCompose(summary.compose)) io.out(line);
      for (const line of formatSend(summary.send)) io.out(line);
      if (summary.send.failed > 0 || summary.send.left > 0) io.fail();
    });
}
