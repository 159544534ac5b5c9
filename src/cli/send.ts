import type { Command } from "commander";
import { runSend } from "../pipeline/index.js";
import { type CliOutput, type ContextOpener, withContext } from "./context.js";
import { formatSend } from "./format.js";

/** `warta send`: delivers every queued message. */
export function registerSend(program: Command, open: ContextOpener, io: CliOutput) {
  program
    .command("send")
    .description("deliver every queued message through the configured mail transport")
    .action(async (_options, command: Command) => {
      const summary = await withContext(open, command.optsWithGlobals(), runSend);
      for (const line of formatSend(summary)) io.out(line);
      if (summary.failed > 0 || summary.left > 0) io.fail();
    });
}
