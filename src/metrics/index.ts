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
