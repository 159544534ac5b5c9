import { type Command, InvalidArgumentError } from "commander";
import type { Config } from "../config/index.js";
import type { PipelineContext } from "../pipeline/index.js";
import { createServer, type ListeningServer, type SharedFileVersions } from "../server/index.js";
import type { DynamicHandler } from "../server/types.js";
import type { Logger } from "../shared/logger.js";
import { createWebHandler } from "../web/index.js";
import type { CliOutput, SettingsLoader } from "./context.js";

/** Parses a --port value: an integer from 0 (any free port) to 65535. */
function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535) {
    throw new InvalidArgumentError("not a port number (0 to 65535)");
  }
  return port;
}

/** Where to listen, when the command line overrides server.port and server.host. */
export interface ListenOverrides {
  port?: number | undefined;
  host?: string | undefined;
}

/** Starts serving the public folder (and `dynamic` pages, if given) and prints where. */
export async function startPublicServer(
  config: Config,
  logger: Logger,
  io: CliOutput,
  overrides: ListenOverrides = {},
  dynamic?: DynamicHandler,
  versions?: SharedFileVersions,
): Promise<ListeningServer> {
  const server = createServer({
    publicDir: config.paths.public,
    cacheMaxAge: config.server.cache_max_age,
    logger,
    ...(dynamic ? { dynamic } : {}),
    ...(versions ? { versions } : {}),
  });
  const listening = await server.listen(
    overrides.port ?? config.server.port,
    overrides.host ?? config.server.host,
  );
  io.out(`warta: serving ${config.paths.public} at ${listening.url}`);
  return listening;
}

/**
 * Serves the public folder and the subscription pages of a context; shared by `warta serve`
 * and `warta run`. Closing stops listening, then waits for subscription emails still being sent.
 */
export async function startServing(
  ctx: PipelineContext,
  io: CliOutput,
  overrides: ListenOverrides = {},
): Promise<ListeningServer> {
  const web = await createWebHandler(ctx);
  const listening = await startPublicServer(
    ctx.config,
    ctx.logger,
    io,
    overrides,
    web,
    ctx.fileVersions,
  );
  return {
    ...listening,
    close: async () => {
      await listening.close();
      await web.close();
    },
  };
}

/** `warta serve`: serves the public folder and the subscription pages until SIGINT or SIGTERM. */
export function registerServe(
  program: Command,
  load: SettingsLoader,
  io: CliOutput,
  waitForStop: () => Promise<string>,
) {
  program
    .command("serve")
    .description(
      "serve the public folder (feeds, pages) and the subscription pages over HTTP until stopped",
    )
    .option("-p, --port <port>", "TCP port, 0 for any free one (default: server.port)", parsePort)
    .option("-H, --host <address>", "address to listen on (default: server.host)")
    .action(async (options: { port?: number; host?: string }, command: Command) => {
      // The subscription pages read and change subscribers: the store is opened too.
      const { open } = await load(command.optsWithGlobals());
      const { ctx, close } = await open();
      try {
        const listening = await startServing(ctx, io, options);
        const signal = await waitForStop();
        io.out(`warta: ${signal} received, stopping`);
        await listening.close();
      } finally {
        await close();
      }
    });
}
