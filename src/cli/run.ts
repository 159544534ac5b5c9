import type { Command } from "commander";
import { processMaildir } from "../bounces/index.js";
import { timeJob } from "../metrics/index.js";
import type { PipelineContext } from "../pipeline/index.js";
import {
  type JobName,
  jobNames,
  runCollect,
  runDigest,
  runPublish,
  runSend,
} from "../pipeline/index.js";
import { holderId, type LeaseOptions, runWithLease, startScheduler } from "../scheduler/index.js";
import { errorMessage } from "../shared/errors.js";
import { formatBounces } from "./bounces.js";
import { type CliOutput, type ContextOpener, withContext } from "./context.js";
import { formatCollect, formatCompose, formatImport, formatPublish, formatSend } from "./format.js";
import { startServing } from "./serve.js";

/**
 * How long a job's lease lasts without renewal: a crashed process blocks the job elsewhere for
 * at most this long. Running jobs renew it every third of it.
 */
const LEASE_TTL_MS = 120_000;

/** The jobs `warta run` schedules: the pipeline's, and sending what is queued or due again. */
type RunJob = JobName | "send";
const scheduledJobs: readonly RunJob[] = [...jobNames, "send"];

/** Whether a summary reports anything done (any count above zero). */
function didSomething(summary: object): boolean {
  return Object.values(summary).some((value) => typeof value === "number" && value > 0);
}

/**
 * Runs one job and prints its summary; returns false when it failed. `quiet` (the scheduled
 * digest and send checks, which usually find nothing to do) prints only when something happened.
 */
async function runAndReport(
  ctx: PipelineContext,
  name: RunJob,
  io: CliOutput,
  options: { byHand?: boolean; quiet?: boolean; stop?: AbortSignal } = {},
) {
  const stop = options.stop ? { stop: options.stop } : {};
  try {
    switch (name) {
      case "collect": {
        const summary = await runCollect(ctx);
        for (const line of formatCollect(summary)) io.out(line);
        return summary.failures.length === 0;
      }
      case "publish": {
        for (const line of formatPublish(await runPublish(ctx))) io.out(line);
        return true;
      }
      case "digest": {
        // By hand, every group gets its digest now; on schedule, only the groups whose hour came.
        const summary = await runDigest(ctx, { byHand: options.byHand ?? false, ...stop });
        const composed = summary.compose.slots.some((slot) => slot.editions.length > 0);
        if (summary.imported) for (const line of formatImport(summary.imported)) io.out(line);
        if (!options.quiet || composed) {
          for (const line of formatCompose(summary.compose)) io.out(line);
        }
        if (!options.quiet || didSomething(summary.send)) {
          for (const line of formatSend(summary.send)) io.out(line);
        }
        return summary.send.failed === 0 && summary.send.left === 0;
      }
      case "send": {
        // Bounce reports first, so that nothing goes to an address that just bounced.
        const maildir = ctx.config.mail.bounces.maildir;
        if (maildir && ctx.statusStore) {
          const results = await processMaildir(maildir, {
            store: ctx.statusStore,
            bounceLimit: ctx.config.mail.bounce_limit,
            now: ctx.now,
            logger: ctx.logger,
          });
          if (!options.quiet || results.length > 0) {
            for (const line of formatBounces(maildir, results)) io.out(line);
          }
        }
        const summary = await runSend(ctx, stop);
        if (!options.quiet || didSomething(summary)) {
          for (const line of formatSend(summary)) io.out(line);
        }
        return summary.failed === 0;
      }
    }
  } catch (error) {
    io.err(`warta: ${name} failed: ${errorMessage(error)}`);
    return false;
  }
}

/** `warta run`: the scheduler and the server of the public folder, or every job once with --once. */
export function registerRun(
  program: Command,
  open: ContextOpener,
  io: CliOutput,
  waitForStop: () => Promise<string>,
) {
  program
    .command("run")
    .description(
      "run the scheduled jobs (collect, publish, digest) and serve the public folder until stopped",
    )
    .option("--once", "run every job once, in order, and exit")
    .action(async (options: { once?: boolean }, command: Command) => {
      await withContext(open, command.optsWithGlobals(), async (ctx) => {
        const leases: LeaseOptions = {
          repository: ctx.jobs,
          holder: holderId(),
          ttlMs: LEASE_TTL_MS,
          now: ctx.now,
        };
        // A run that reports a failure is recorded as failed in the job's history.
        // SIGTERM: the sender stops claiming, finishes what is in flight and puts the rest back.
        const stopping = new AbortController();
        const checked = (name: RunJob, byHand: boolean) => async () => {
          const report = { byHand, quiet: !byHand, stop: stopping.signal };
          if (!(await runAndReport(ctx, name, io, report))) {
            throw new Error(`${name} did not complete (see the messages above)`);
          }
        };
        if (options.once) {
          for (const name of jobNames) {
            // One job failing does not stop the others; a job another process is running is
            // left to it.
            try {
              const outcome = await runWithLease(name, leases, checked(name, true));
              if (!outcome.ran) {
                io.out(`${name}: skipped, running in ${outcome.holder ?? "another process"}`);
              }
            } catch {
              io.fail();
            }
          }
          return;
        }
        const { schedule, site } = ctx.config;
        // Serve before scheduling: a port already taken stops warta before any job runs.
        const server = ctx.config.server.enabled ? await startServing(ctx, io) : undefined;
        // node-cron does not run what was missed while warta was down: a digest whose hour
        // passed is composed now, once, if still within newsletter.grace_hours. The process
        // that takes over the schedule from one that died does the same.
        const catchUps = new Set<Promise<unknown>>();
        const catchUp = () => {
          const run = runWithLease("digest", leases, checked("digest", false), ctx.logger)
            .catch((error: unknown) =>
              ctx.logger.error({ err: errorMessage(error) }, "catch-up failed"),
            )
            .finally(() => catchUps.delete(run));
          catchUps.add(run);
        };
        const scheduler = startScheduler(
          scheduledJobs.map((name) => ({
            name,
            cron: schedule[name],
            run: timeJob(ctx.metrics, name, checked(name, false)),
          })),
          // Several `warta run` on one store: one of them fires the jobs, and each job runs in
          // one process at a time.
          {
            timezone: site.timezone,
            logger: ctx.logger,
            leases,
            leadership: { ttlMs: schedule.failover_seconds * 1000, onLead: catchUp },
          },
        );
        io.out(`warta: running in ${site.timezone}; stop with Ctrl-C or SIGTERM`);
        for (const { name, next } of scheduler.nextRuns()) {
          io.out(
            `  ${name} (${schedule[name as RunJob]}): next at ${next?.toISOString() ?? "never"}`,
          );
        }
        const signal = await waitForStop();
        io.out(`warta: ${signal} received, finishing running jobs`);
        stopping.abort();
        await Promise.all([scheduler.stop(), server?.close(), ...catchUps]);
      });
    });
}
