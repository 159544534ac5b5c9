import type { Config } from "../config/index.js";
import type { Fetcher } from "../domain/fetch.js";
import type { PipelineContext } from "../pipeline/index.js";

/** Output streams of the command line, replaceable in tests. */
export interface CliOutput {
  out: (line: string) => void;
  err: (line: string) => void;
  /** Marks the command as failed (exit code 1) without stopping it. */
  fail: () => void;
}

/** Opens a pipeline context for a command and closes it afterwards. */
export type ContextOpener = (options: { config?: string | undefined }) => Promise<OpenContext>;

export interface OpenContext {
  ctx: PipelineContext;
  close: () => Promise<void>;
}

/** Runs `action` with an open context, always closing it. */
export async function withContext<T>(
  open: ContextOpener,
  options: { config?: string | undefined },
  action: (ctx: PipelineContext) => Promise<T>,
): Promise<T> {
  const { ctx, close } = await open(options);
  try {
    return await action(ctx);
  } finally {
    await close();
  }
}

/**
 * The configuration and a fetcher, for commands that use no store (warta extract), and a way
 * to open the store for that same configuration once a command needs it (warta serve).
 */
export type SettingsLoader = (options: {
  config?: string | undefined;
}) => Promise<{ config: Config; fetcher: Fetcher; open: () => Promise<OpenContext> }>;
