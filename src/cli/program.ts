import { Command } from "commander";
import { registerBounces } from "./bounces.js";
import { registerCollect } from "./collect.js";
import type { CliOutput, ContextOpener, SettingsLoader } from "./context.js";
import { registerDigest } from "./digest.js";
import { registerExtract } from "./extract.js";
import { registerFeeds } from "./feeds.js";
import { registerRun } from "./run.js";
import { registerSend } from "./send.js";
import { registerServe } from "./serve.js";
import { registerSources } from "./sources.js";
import { registerStatus } from "./status.js";
import { registerStore } from "./store.js";
import { registerSubscribers } from "./subscribers.js";
import { registerWorker } from "./worker.js";

/** Builds the `warta` command line. */
export function buildProgram(options: {
  version: string;
  open: ContextOpener;
  load: SettingsLoader;
  io: CliOutput;
  waitForStop: () => Promise<string>;
}): Command {
  const { open, io } = options;
  const program = new Command("warta")
    .description(
      "Turns a newsroom's latest articles into RSS, Atom and JSON feeds and e-mail digests.",
    )
    .version(options.version)
    .option(
      "-c, --config <file>",
      "configuration file (default: $WARTA_CONFIG or config/default.yaml)",
    )
    .showHelpAfterError("(run warta --help for usage)")
    .configureOutput({
      writeOut: (text) => io.out(text.trimEnd()),
      writeErr: (text) => io.err(text.trimEnd()),
    })
    .exitOverride();
  registerCollect(program, open, io);
  registerFeeds(program, open, io);
  registerDigest(program, open, io);
  registerSend(program, open, io);
  registerWorker(program, open, io);
  registerExtract(program, options.load, io);
  registerSources(program, open, io);
  registerSubscribers(program, open, io);
  registerRun(program, open, io, options.waitForStop);
  registerServe(program, options.load, io, options.waitForStop);
  registerStatus(program, open, io);
  registerBounces(program, open, io);
  registerStore(program, options.load, io);
  for (const command of program.commands) command.exitOverride();
  return program;
}
