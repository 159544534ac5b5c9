import { existsSync } from "node:fs";
import path from "node:path";
import type { Command } from "commander";
import { AppError } from "../shared/errors.js";
import { copyStore } from "../store/copy.js";
import { openDatabase } from "../store/database.js";
import { describeStore, isPostgresUrl } from "../store/spec.js";
import type { CliOutput, SettingsLoader } from "./context.js";

/** A store given on the command line: a postgres:// URL as it is, a file path made absolute. */
function storeArgument(value: string): string {
  const given = value.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(given) && !isPostgresUrl(given)) {
    throw new AppError(
      "USAGE",
      `store copy: --to takes a postgres:// URL or an SQLite file, not "${value}"`,
    );
  }
  return isPostgresUrl(given) ? given : path.resolve(given);
}

/**
 * `warta store copy --to SPEC`: copies the configured store into a new one, typically an SQLite
 * file into PostgreSQL when one machine is no longer enough.
 */
export function registerStore(program: Command, load: SettingsLoader, io: CliOutput) {
  const store = program.command("store").description("work on the store itself");
  store
    .command("copy")
    .description(
      "copy everything in the configured store into a new, empty one (such as SQLite into PostgreSQL)",
    )
    .requiredOption(
      "--to <store>",
      "the new store: a postgres:// URL or the path of an SQLite file",
    )
    .action(async (options: { to: string }, command: Command) => {
      const { config } = await load(command.optsWithGlobals());
      const to = storeArgument(options.to);
      const from = config.store;
      if (to === from) {
        throw new AppError(
          "USAGE",
          `store copy: --to names the configured store itself (${describeStore(to)})`,
        );
      }
      if (!isPostgresUrl(from) && !existsSync(from)) {
        throw new AppError("STORE_OPEN", `store copy: the configured store ${from} does not exist`);
      }
      const source = await openDatabase(from, { poolSize: 2 });
      try {
        const target = await openDatabase(to, { poolSize: 2 });
        try {
          io.out(`store copy: ${describeStore(from)} -> ${describeStore(to)}`);
          let total = 0;
          await copyStore(source, target, {
            onTable: (name, rows) => {
              total += rows;
              io.out(`  ${name}: ${rows} row(s)`);
            },
          });
          io.out(`store copy: ${total} row(s) copied`);
          if (!config.secret) {
            io.out(
              `note: links in mail already sent are signed with the key in ${path.join(config.paths.data, "secret.key")}; ` +
                "give every process on the new store that key (WARTA_SECRET, or the same file)",
            );
          }
        } finally {
          await target.destroy();
        }
      } finally {
        await source.destroy();
      }
    });
}
