import type { Command } from "commander";
import { describeSources } from "../pipeline/index.js";
import { type CliOutput, type ContextOpener, withContext } from "./context.js";
import { formatSources } from "./format.js";

/** `warta sources`: each source's state. */
export function registerSources(program: Command, open: ContextOpener, io: CliOutput) {
  program
    .command("sources")
    .description("show each source's state: last success, last error, items, next poll")
    .action(async (_options, command: Command) => {
      const reports = await withContext(open, command.optsWithGlobals(), (ctx) =>
        describeSources({ sources: ctx.config.sources, states: ctx.sourceStates }),
      );
      for (const line of formatSources(reports)) io.out(line);
    });
}
