import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { repoRoot } from "./workspace.js";

/** What a finished `warta` process printed and returned. */
export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A `warta` process left running, with what it has printed so far. */
export interface RunningWarta {
  child: ChildProcess;
  readonly stdout: string;
  readonly stderr: string;
  /** Resolves with the exit code once the process has ended; rejects if it could not start. */
  exited: Promise<number | null>;
}

/** Starts the built `warta` command (bin/warta.js) as a child process and leaves it running. */
export function spawnWarta(
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): RunningWarta {
  const child = spawn(process.execPath, [path.join(repoRoot, "bin", "warta.js"), ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", resolve);
  });
  return {
    child,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    exited,
  };
}

/** Runs the built `warta` command to its end. */
export async function runWarta(
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv },
): Promise<CliResult> {
  const running = spawnWarta(args, options);
  const code = await running.exited;
  return { code, stdout: running.stdout, stderr: running.stderr };
}
