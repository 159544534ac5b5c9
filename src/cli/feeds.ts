import type { Command } from "commander";
import { runPublish } from "../pipeline/index.js";
import { type CliOutput, type ContextOpener, withContext } from "./context.js";
import { formatPublish } from "./format.js";

/** `warta feeds`: writes the RSS, Atom and JSON feeds from the store. */
export function registerFeeds(program: Command, open: ContextOpener, io: CliOutput) {
  program
    .command("feeds")
    .alias("publish")
    .description("write the RSS 2.0, Atom 1.0 and JSON Feed 1.1 files from the store")
    .action(async (_options, command: Command) => {
      const summary = await withContext(open, command.optsWithGlobals(), runPublish);
      for (const line of formatPublish(summary)) io.out(line);
    });
}
