import { type Command, InvalidArgumentError } from "commander";
import type { Config } from "../config/index.js";
import { createServer, type ListeningServer } from "../server/index.js";
import { createLogger, type Logger } from "../shared/logger.js";
import type { CliOutput, SettingsLoader } from "./context.js";

/** Parses a --port value: an integer from 0 (any free port) to 65535. */
function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535) {
    throw new InvalidArgumentError("not a port number (0 to 65535)");
  }
  return port;
}

/** Starts serving the public folder and prints where; shared by `warta serve` and `warta run`. */
export async function startPublicServer(
  config: Config,
  logger: Logger,
  io: CliOutput,
  overrides: { port?: number | undefined; host?: string | undefined } = {},
): Promise<ListeningServer> {
  const server = createServer({
    publicDir: config.paths.public,
    cacheMaxAge: config.server.cache_max_age,
    logger,
  });
  const listening = await server.listen(
    overrides.port ?? config.server.port,
    overrides.host ?? config.server.host,
  );
  io.out(`warta: serving ${config.paths.public} at ${listening.url}`);
  return listening;
}

/** `warta serve`: serves the public folder over HTTP until SIGINT or SIGTERM. */
export function registerServe(
  program: Command,
  load: SettingsLoader,
  io: CliOutput,
  waitForStop: () => Promise<string>,
) {
  program
    .command("serve")
    .description("serve the public folder (feeds, pages) over HTTP until stopped")
    .option("-p, --port <port>", "TCP port, 0 for any free one (default: server.port)", parsePort)
    .option("-H, --host <address>", "address to listen on (default: server.host)")
    .action(async (options: { port?: number; host?: string }, command: Command) => {
      // Serving needs no store: only the configuration is opened.
      const { config } = await load(command.optsWithGlobals());
      const logger = createLogger(config.log.level);
      const listening = await startPublicServer(config, logger, io, options);
      const signal = await waitForStop();
      io.out(`warta: ${signal} received, stopping`);
      await listening.close();
      logger.flush();
    });
}
