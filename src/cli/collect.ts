import type { Command } from "commander";
import { runCollect } from "../pipeline/index.js";
import { type CliOutput, type ContextOpener, withContext } from "./context.js";
import { formatCollect } from "./format.js";

/** `warta collect`: reads every source into the store. */
export function registerCollect(program: Command, open: ContextOpener, io: CliOutput) {
  program
    .command("collect")
    .description("read every configured source and store its articles")
    .option("--force", "poll remote sources even when they are not due yet")
    .action(async (options: { force?: boolean }, command: Command) => {
      const summary = await withContext(open, command.optsWithGlobals(), (ctx) =>
        runCollect(ctx, { force: options.force ?? false }),
      );
      for (const line of formatCollect(summary)) io.out(line);
      if (summary.failures.length > 0) io.fail();
    });
}
