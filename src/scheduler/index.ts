import cron, { type ScheduledTask } from "node-cron";
import { errorMessage } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";

/** A job the scheduler fires on its cron expression. */
export interface ScheduledJob {
  name: string;
  cron: string;
  run: () => Promise<unknown>;
}

/** A running scheduler. */
export interface Scheduler {
  /** When each job fires next. */
  nextRuns(): { name: string; next: Date | null }[];
  /** Stops firing jobs and waits for those running to finish. */
  stop(): Promise<void>;
}

/**
 * Starts one node-cron task per job in the given time zone. A job never overlaps itself, and
 * a failing job is logged without stopping the others.
 */
export function startScheduler(
  jobs: ScheduledJob[],
  options: { timezone: string; logger: Logger },
): Scheduler {
  const running = new Set<Promise<unknown>>();
  const tasks: { name: string; task: ScheduledTask }[] = jobs.map((job) => {
    const log = options.logger.child({ component: "scheduler", job: job.name });
    const task = cron.schedule(
      job.cron,
      async () => {
        const started = Date.now();
        const execution = job.run().then(
          () => log.info({ ms: Date.now() - started }, "job finished"),
          (error: unknown) => log.error({ err: errorMessage(error) }, "job failed"),
        );
        running.add(execution);
        await execution;
        running.delete(execution);
      },
      {
        name: job.name,
        timezone: options.timezone,
        noOverlap: true,
        // node-cron's own notices (such as a run skipped because the previous one is still
        // going) go to our log instead of the console.
        logger: {
          info: (message) => log.info(message),
          warn: (message) => log.warn(message),
          error: (message) => log.error({ err: errorMessage(message) }, "node-cron error"),
          debug: (message) => log.debug({ detail: errorMessage(message) }, "node-cron"),
        },
      },
    );
    return { name: job.name, task };
  });
  return {
    nextRuns: () => tasks.map(({ name, task }) => ({ name, next: task.getNextRun() })),
    async stop() {
      await Promise.all(tasks.map(({ task }) => task.destroy()));
      await Promise.all(running);
    },
  };
}
