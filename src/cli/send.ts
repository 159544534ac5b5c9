import type { Command } from "commander";
import { runSend } from "../pipeline/index.js";
import type { SendOptions } from "../pipeline/send.js";
import { AppError } from "../shared/errors.js";
import { type CliOutput, type ContextOpener, withContext } from "./context.js";
import { formatSend } from "./format.js";
import { createSendProgress } from "./send-progress.js";

/** `warta send [--resume [EDITION]]`: delivers every message due. */
export function registerSend(program: Command, open: ContextOpener, io: CliOutput) {
  program
    .command("send")
    .description("deliver every queued message through the configured mail transport")
    .option("--resume [edition]", "resume a paused edition (or every paused one) before sending")
    .action(async (options: { resume?: string | true }, command: Command) => {
      const sendOptions: SendOptions = {};
      if (options.resume !== undefined) sendOptions.resume = parseResume(options.resume);
      // SIGTERM or Ctrl-C: stop claiming, let the messages in flight finish, put the rest back.
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once("SIGTERM", onSignal);
      process.once("SIGINT", onSignal);
      sendOptions.stop = stop.signal;
      // A bar on a terminal, else a log line every few seconds and a summary (standard error).
      const progress = createSendProgress();
      sendOptions.onProgress = progress.onProgress;
      let summary: Awaited<ReturnType<typeof runSend>>;
      try {
        summary = await withContext(open, command.optsWithGlobals(), (ctx) =>
          runSend(ctx, sendOptions),
        );
      } finally {
        progress.finish();
        process.off("SIGTERM", onSignal);
        process.off("SIGINT", onSignal);
      }
      for (const line of formatSend(summary)) io.out(line);
      // A bounce is the recipient's address, not a fault of this run: reported, not failed.
      if (summary.failed > 0 || summary.left > 0 || summary.paused.length > 0) io.fail();
    });
}

/** `--resume` alone resumes every paused edition; `--resume 12` only edition 12. */
function parseResume(value: string | true): number | "all" {
  if (value === true) return "all";
  const id = Number(value);
  if (!Number.isInteger(id) || id < 1) {
    throw new AppError("USAGE", `send: --resume takes an edition number, not "${value}"`);
  }
  return id;
}
