import type { Command } from "commander";
import { runSend } from "../pipeline/index.js";
import { holderId } from "../scheduler/index.js";
import { AppError, errorMessage } from "../shared/errors.js";
import { describeStore } from "../store/spec.js";
import { type CliOutput, type ContextOpener, withContext } from "./context.js";

/** Waits `ms`, or less when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 3600) {
    throw new AppError("USAGE", `worker: --poll takes seconds between 0 and 3600, not "${value}"`);
  }
  return seconds;
}

/**
 * `warta worker`: one of any number of sender processes, on one machine or many, sharing the
 * store's delivery queue. Each claims batches of rows (a claim is a lease with an expiry: rows of
 * a worker that dies come back to the others when it runs out), sends them, and looks again when
 * the queue is empty. SIGTERM stops claiming, lets the messages in flight finish and puts the
 * rest back.
 */
export function registerWorker(program: Command, open: ContextOpener, io: CliOutput) {
  program
    .command("worker")
    .description(
      "send queued messages until stopped, sharing the queue with any other workers on the store",
    )
    .option("--poll <seconds>", "how long to wait before looking again when nothing is due", "5")
    .option("--drain", "exit once no message is left waiting (queued, deferred or being sent)")
    .action(async (options: { poll: string; drain?: boolean }, command: Command) => {
      const pollMs = parseSeconds(options.poll) * 1000;
      const stop = new AbortController();
      const onSignal = () => stop.abort();
      process.once("SIGTERM", onSignal);
      process.once("SIGINT", onSignal);
      try {
        await withContext(open, command.optsWithGlobals(), async (ctx) => {
          const holder = holderId();
          const log = ctx.logger.child({ component: "worker", holder });
          io.out(`worker ${holder}: sending from ${describeStore(ctx.config.store)}`);
          const total = { sent: 0, deferred: 0, failed: 0, bounced: 0 };
          while (!stop.signal.aborted) {
            let worked = false;
            try {
              const summary = await runSend(ctx, { stop: stop.signal, holder });
              total.sent += summary.sent;
              total.deferred += summary.deferred;
              total.failed += summary.failed;
              total.bounced += summary.bounced;
              worked = summary.sent + summary.deferred + summary.failed + summary.bounced > 0;
              if (worked) {
                io.out(
                  `worker: ${summary.sent} sent, ${summary.deferred} deferred, ` +
                    `${summary.failed} failed, ${summary.bounced} bounced; ${summary.left} waiting`,
                );
              }
              for (const paused of summary.paused) {
                log.warn({ editionId: paused.editionId, reason: paused.reason }, "edition paused");
              }
              if (options.drain && summary.left === 0) break;
            } catch (error) {
              // The store or the mailer failed (a database restart, say): what this worker held
              // comes back when its claims run out; try again after a pause.
              io.err(`warta: worker: ${errorMessage(error)}`);
            }
            if (!worked) await pause(pollMs, stop.signal);
          }
          io.out(
            `worker ${holder}: stopped; ${total.sent} sent, ${total.deferred} deferred, ` +
              `${total.failed} failed, ${total.bounced} bounced`,
          );
        });
      } finally {
        process.off("SIGTERM", onSignal);
        process.off("SIGINT", onSignal);
      }
    });
}
