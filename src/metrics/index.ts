import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { JobState } from "../domain/job.js";

/** What the metrics read from the store when scraped, so that every process reports the same. */
export interface MetricsSources {
  /** Deliveries by status (queued, sending, sent, deferred, failed, bounced), over all editions. */
  deliveryCounts(): Promise<Record<string, number>>;
  /** Lease and run history of every job. */
  jobStates(): Promise<JobState[]>;
}

/** The Prometheus metrics of one warta process (prom-client). */
export class WartaMetrics {
  readonly registry = new Registry();
  /** Messages this process handed to the transport, by outcome. */
  readonly messages: Counter<"outcome">;
  /** How long each job run took here, in seconds. */
  readonly jobDuration: Histogram<"job" | "outcome">;

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    this.messages = new Counter({
      name: "warta_messages_total",
      help: "Messages this process tried to deliver, by outcome (sent, deferred, failed, bounced).",
      labelNames: ["outcome"],
      registers,
    });
    this.jobDuration = new Histogram({
      name: "warta_job_duration_seconds",
      help: "Duration of the job runs of this process.",
      labelNames: ["job", "outcome"],
      buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600],
      registers,
    });
    new Gauge({
      name: "warta_deliveries",
      help: "Deliveries in the store by status, all editions and processes together.",
      labelNames: ["status"],
      registers,
      async collect() {
        const counts = await sources.deliveryCounts();
        this.reset();
        for (const status of ["queued", "sending", "sent", "deferred", "failed", "bounced"]) {
          this.set({ status }, counts[status] ?? 0);
        }
      },
    });
    new Gauge({
      name: "warta_queue_depth",
      help: "Deliveries waiting to be sent (queued or deferred).",
      registers,
      async collect() {
        const counts = await sources.deliveryCounts();
        this.set((counts.queued ?? 0) + (counts.deferred ?? 0));
      },
    });
    const jobGauge = (name: string, help: string, pick: (state: JobState) => number | undefined) =>
      new Gauge({
        name,
        help,
        labelNames: ["job"],
        registers,
        async collect() {
          this.reset();
          for (const state of await sources.jobStates()) {
            const value = pick(state);
            if (value !== undefined) this.set({ job: state.job }, value);
          }
        },
      });
    jobGauge(
      "warta_job_last_success_timestamp_seconds",
      "When each job last finished without error (any process), as a Unix time.",
      (state) => (state.lastSuccess ? state.lastSuccess.getTime() / 1000 : undefined),
    );
    jobGauge(
      "warta_job_last_duration_seconds",
      "Duration of each job's last finished run (any process).",
      (state) => (state.lastDurationMs === undefined ? undefined : state.lastDurationMs / 1000),
    );
    jobGauge("warta_job_runs", "Finished runs of each job (any process).", (state) => state.runs);
    jobGauge(
      "warta_job_failures",
      "Failed runs of each job (any process).",
      (state) => state.failures,
    );
    jobGauge("warta_job_running", "1 while a process holds the job's lease.", (state) =>
      state.holder && state.leaseExpires && state.leaseExpires > new Date() ? 1 : 0,
    );
  }

  /** The metrics in the Prometheus text exposition format. */
  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/** How a job run ended, as the warta_job_duration_seconds histogram labels it. */
export type JobOutcome = "success" | "failure";

/**
 * Wraps a job's run so that its duration lands in warta_job_duration_seconds, labelled with the
 * job and whether it threw. The error, if any, is rethrown unchanged.
 *
 * @example
 * startScheduler(jobs.map((job) => ({ ...job, run: timeJob(ctx.metrics, job.name, job.run) })), options);
 */
export function timeJob<T>(
  metrics: Pick<WartaMetrics, "jobDuration"> | undefined,
  job: string,
  run: () => Promise<T>,
): () => Promise<T> {
  if (!metrics) return run;
  return async () => {
    const stop = metrics.jobDuration.startTimer({ job });
    try {
      const result = await run();
      stop({ outcome: "success" });
      return result;
    } catch (error) {
      stop({ outcome: "failure" });
      throw error;
    }
  };
}

/** Counts of a send so far, as the sender reports them after each message. */
export interface SendCounts {
  sent: number;
  deferred: number;
  failed: number;
  bounced: number;
}

/**
 * A progress listener that adds what a send did since its last call to warta_messages_total
 * (the sender reports running totals; the counter wants increments).
 */
export function countMessages(
  metrics: Pick<WartaMetrics, "messages">,
): (progress: SendCounts) => void {
  const last: SendCounts = { sent: 0, deferred: 0, failed: 0, bounced: 0 };
  return (progress) => {
    for (const outcome of ["sent", "deferred", "failed", "bounced"] as const) {
      const delta = progress[outcome] - last[outcome];
      if (delta > 0) metrics.messages.inc({ outcome }, delta);
      last[outcome] = progress[outcome];
    }
  };
}
