import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import cron, { type ScheduledTask } from "node-cron";
import type { JobStateRepository } from "../domain/job.js";
import { errorMessage } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";

/** Leases in the store, so that processes sharing it never run one job at once. */
export interface LeaseOptions {
  repository: JobStateRepository;
  /** Who we are: unique per process (see `holderId`). */
  holder: string;
  /** How long a lease lasts without renewal; renewed every third of it while the job runs. */
  ttlMs: number;
  now?: () => Date;
}

/** A name for this process as a lease holder: host, pid and a random part. */
export function holderId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString("hex")}`;
}

/** What running a job under a lease did. */
export type LeaseRun<T> = { ran: true; result: T } | { ran: false; holder: string | undefined };

/**
 * Runs `run` while holding the job's lease: skipped when another process holds it; renewed while
 * running; released with the outcome recorded (success, or the error, which is rethrown).
 */
export async function runWithLease<T>(
  job: string,
  leases: LeaseOptions,
  run: () => Promise<T>,
  logger?: Logger,
): Promise<LeaseRun<T>> {
  const now = leases.now ?? (() => new Date());
  const { repository, holder, ttlMs } = leases;
  if (!(await repository.acquire(job, holder, now(), ttlMs))) {
    const current = (await repository.all()).find((state) => state.job === job)?.holder;
    return { ran: false, holder: current };
  }
  const started = now();
  const timer = setInterval(
    () => {
      repository.renew(job, holder, now(), ttlMs).then(
        (kept) => {
          if (!kept) logger?.error({ job, holder }, "job lease lost while running");
        },
        (error: unknown) =>
          logger?.error({ job, err: errorMessage(error) }, "lease renewal failed"),
      );
    },
    Math.max(50, Math.floor(ttlMs / 3)),
  );
  timer.unref();
  try {
    const result = await run();
    clearInterval(timer);
    await repository.release(job, holder, { started, finished: now() });
    return { ran: true, result };
  } catch (error) {
    clearInterval(timer);
    await repository.release(job, holder, {
      started,
      finished: now(),
      error: errorMessage(error),
    });
    throw error;
  }
}

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
  /** Whether this process fires the jobs now (always true without leases). */
  isLeader(): boolean;
  /** Stops firing jobs, waits for those running to finish and hands the leadership over. */
  stop(): Promise<void>;
}

/** The lease that makes one process of those sharing a store the one that fires the jobs. */
export const LEADER_LEASE = "scheduler";

/** Leadership among the schedulers sharing a store. */
export interface Leadership {
  /** How long the leader's lease lasts without renewal: the longest a takeover waits. */
  ttlMs: number;
  /** Called each time this process becomes the leader (at start too), e.g. to catch up. */
  onLead?: () => void;
}

/**
 * Starts one node-cron task per job in the given time zone. A job never overlaps itself, and
 * a failing job is logged without stopping the others.
 *
 * With leases, the processes sharing a store elect one leader through a lease row: only the
 * leader fires the jobs (each run still takes the job's own lease). The leader renews its lease
 * every third of `leadership.ttlMs`; when it dies, another process takes the expired lease at its
 * next try, so the jobs go on after at most ttlMs plus a third of it. A leader that cannot renew
 * stops firing at once, before its lease can have passed to anyone else.
 */
export function startScheduler(
  jobs: ScheduledJob[],
  options: { timezone: string; logger: Logger; leases?: LeaseOptions; leadership?: Leadership },
): Scheduler {
  const running = new Set<Promise<unknown>>();
  const leadLog = options.logger.child({ component: "scheduler" });
  const leaseNow = options.leases?.now ?? (() => new Date());
  const leaderTtl = options.leadership?.ttlMs ?? options.leases?.ttlMs ?? 30_000;
  /** Until when this process may fire jobs: its last renewal plus the lease's length. */
  let leaderUntil = options.leases ? 0 : Number.POSITIVE_INFINITY;
  let stopped = false;
  const leading = () => leaseNow().getTime() < leaderUntil;
  const elect = async () => {
    const leases = options.leases;
    if (!leases || stopped) return;
    const asked = leaseNow();
    const was = leading();
    try {
      const held = was
        ? await leases.repository.renew(LEADER_LEASE, leases.holder, asked, leaderTtl)
        : await leases.repository.acquire(LEADER_LEASE, leases.holder, asked, leaderTtl);
      if (stopped) return;
      if (held) {
        leaderUntil = asked.getTime() + leaderTtl;
        if (!was) {
          leadLog.info({ holder: leases.holder }, "this process now fires the scheduled jobs");
          options.leadership?.onLead?.();
        }
      } else if (was) {
        leaderUntil = 0;
        leadLog.warn({ holder: leases.holder }, "leadership lost to another process");
      }
    } catch (error) {
      // Cannot reach the store: stop firing now; the lease runs out for whoever comes next.
      if (was) leadLog.error({ err: errorMessage(error) }, "cannot renew leadership");
      leaderUntil = 0;
    }
  };
  let electing = options.leases ? elect() : Promise.resolve();
  const electTimer = options.leases
    ? setInterval(
        () => {
          electing = electing.then(elect);
        },
        Math.max(50, Math.floor(leaderTtl / 3)),
      )
    : undefined;
  electTimer?.unref();
  const tasks: { name: string; task: ScheduledTask }[] = jobs.map((job) => {
    const log = options.logger.child({ component: "scheduler", job: job.name });
    const task = cron.schedule(
      job.cron,
      async () => {
        if (!leading()) {
          log.debug("job left to the leading process");
          return;
        }
        const started = Date.now();
        const leases = options.leases;
        const execution = (
          leases
            ? runWithLease(job.name, leases, job.run, log).then((outcome) => {
                if (!outcome.ran) {
                  log.info({ holder: outcome.holder }, "job skipped: another process runs it");
                  return;
                }
                log.info({ ms: Date.now() - started }, "job finished");
              })
            : job.run().then(() => log.info({ ms: Date.now() - started }, "job finished"))
        ).catch((error: unknown) => log.error({ err: errorMessage(error) }, "job failed"));
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
    isLeader: leading,
    async stop() {
      stopped = true;
      if (electTimer) clearInterval(electTimer);
      await Promise.all(tasks.map(({ task }) => task.destroy()));
      await Promise.all(running);
      await electing;
      const leases = options.leases;
      if (leases && leading()) {
        // Hand over at once: a lease that ends now lets the next process take it at its next try.
        leaderUntil = 0;
        await leases.repository
          .renew(LEADER_LEASE, leases.holder, leaseNow(), 0)
          .catch((error: unknown) =>
            leadLog.warn({ err: errorMessage(error) }, "cannot hand the leadership over"),
          );
      }
    },
  };
}
