import cliProgress from "cli-progress";
import { pino } from "pino";
import type { SendProgress } from "../pipeline/send.js";
import type { Logger } from "../shared/logger.js";

/** Shows how a send goes: `onProgress` after each message, `finish` once at the end. */
export interface SendProgressReporter {
  onProgress(progress: SendProgress): void;
  /** Draws the bar one last time (TTY) or logs the final summary (otherwise). */
  finish(): void;
}

/** Where the reporter writes: standard error, or a stand-in for it in tests. */
export interface ProgressStream {
  write(chunk: string): boolean;
  isTTY?: boolean;
  columns?: number;
}

export interface SendProgressOptions {
  /** Default: process.stderr. A bar is drawn only when `stream.isTTY` is true. */
  stream?: ProgressStream;
  /** Logger of the log lines when not on a terminal (default: JSON lines on `stream`). */
  logger?: Logger;
  /** Milliseconds of a monotonic clock (default: performance.now). */
  now?: () => number;
  /** Least time between two progress log lines, in milliseconds (default: 5 s). */
  intervalMs?: number;
}

/** Messages handled so far, whatever their outcome. */
const handled = (p: SendProgress) => p.sent + p.deferred + p.failed + p.bounced;

/** Messages per second since the start, and the seconds left at that rate (null: unknown). */
function pace(progress: SendProgress, elapsedMs: number): { rate: number; eta: number | null } {
  const done = handled(progress);
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  if (progress.remaining === 0) return { rate, eta: 0 };
  return { rate, eta: rate > 0 ? progress.remaining / rate : null };
}

/** 75 → "1m15s"; null → "?". */
function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return "?";
  const whole = Math.ceil(seconds);
  if (whole < 60) return `${whole}s`;
  const minutes = Math.floor(whole / 60);
  if (minutes < 60) return `${minutes}m${String(whole % 60).padStart(2, "0")}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, "0")}m`;
}

/**
 * A progress reporter for `warta send`: on a terminal, a cli-progress bar with the sent,
 * deferred, failed and remaining counts, the rate and the time left; elsewhere (a log file, a
 * pipe, systemd), a structured pino line at most every `intervalMs`, and a summary at the end.
 * Non-TTY lines go to the stream at level info whatever log.level says: they were asked for.
 *
 * @example
 * const progress = createSendProgress();
 * const summary = await runSend(ctx, { onProgress: progress.onProgress });
 * progress.finish();
 */
export function createSendProgress(options: SendProgressOptions = {}): SendProgressReporter {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? (() => performance.now());
  const intervalMs = options.intervalMs ?? 5_000;
  const started = now();
  let last: SendProgress | undefined;

  if (stream.isTTY === true) {
    const bar = new cliProgress.SingleBar(
      {
        stream: stream as unknown as NodeJS.WritableStream,
        format:
          "send [{bar}] {percentage}% | {value}/{total} | sent {sent} deferred {deferred} " +
          "failed {failed} bounced {bounced} | remaining {remaining} | {rate} msg/s | ETA {etaText}",
        hideCursor: true,
        // Redraws at most 20 times a second, and once more when stopped.
        synchronousUpdate: true,
        fps: 20,
        gracefulExit: true,
      },
      cliProgress.Presets.shades_classic,
    );
    let running = false;
    const payload = (progress: SendProgress) => {
      const { rate, eta } = pace(progress, now() - started);
      return { ...progress, rate: rate.toFixed(1), etaText: formatEta(eta) };
    };
    return {
      onProgress(progress) {
        last = { ...progress };
        const total = handled(progress) + progress.remaining;
        if (!running) {
          bar.start(total, handled(progress), payload(progress));
          running = true;
          return;
        }
        // The total can grow (a deferred message due again joins the run).
        bar.setTotal(total);
        bar.update(handled(progress), payload(progress));
      },
      finish() {
        if (!running) return;
        if (last) bar.update(handled(last), payload(last));
        bar.stop();
        running = false;
        stream.write("\n");
      },
    };
  }

  const logger =
    options.logger ??
    pino(
      { level: "info", base: { app: "warta", component: "send" } },
      stream as unknown as pino.DestinationStream,
    );
  let lastLogged = started;
  const fields = (progress: SendProgress) => {
    const elapsedMs = now() - started;
    const { rate, eta } = pace(progress, elapsedMs);
    return {
      ...progress,
      rate: Math.round(rate * 100) / 100,
      etaSeconds: eta === null ? null : Math.ceil(eta),
      elapsedMs: Math.round(elapsedMs),
    };
  };
  return {
    onProgress(progress) {
      last = { ...progress };
      const at = now();
      if (at - lastLogged < intervalMs) return;
      lastLogged = at;
      logger.info(fields(progress), "send: progress");
    },
    finish() {
      const final = last ?? { sent: 0, deferred: 0, failed: 0, bounced: 0, remaining: 0 };
      const { etaSeconds: _eta, ...summary } = fields(final);
      logger.info(summary, "send: finished");
    },
  };
}
