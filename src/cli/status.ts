import { type Command, InvalidArgumentError } from "commander";
import type { JobState } from "../domain/job.js";
import { subscriberStatuses } from "../domain/subscriber.js";
import { jobNames, type PipelineContext } from "../pipeline/index.js";
import type { EditionStatus } from "../store/status.js";
import { type CliOutput, type ContextOpener, withContext } from "./context.js";

/** Delivery statuses, in the order a message goes through them. */
export const deliveryStatuses = ["queued", "sending", "sent", "deferred", "failed", "bounced"];

/** What `warta status` reports; `--json` prints it as is. */
export interface StatusReport {
  generatedAt: string;
  editions: (Omit<EditionStatus, "created" | "paused"> & {
    created: string;
    paused: { at: string; reason: string } | null;
  })[];
  jobs: {
    job: string;
    running: boolean;
    holder: string | null;
    leaseExpires: string | null;
    lastStarted: string | null;
    lastFinished: string | null;
    lastSuccess: string | null;
    lastFailure: string | null;
    lastError: string | null;
    lastDurationMs: number | null;
    runs: number;
    failures: number;
  }[];
  subscribers: Record<string, number> & { total: number };
}

const iso = (date: Date | undefined) => date?.toISOString() ?? null;

/** Gathers the report from the store: newest editions, every job, subscribers by status. */
export async function collectStatus(ctx: PipelineContext, limit: number): Promise<StatusReport> {
  const store = ctx.statusStore;
  if (!store) throw new Error("status: the store offers no summaries");
  const now = ctx.now();
  const [editions, states, subscriberCounts] = await Promise.all([
    store.recentEditions(limit),
    ctx.jobs.all(),
    store.subscriberCounts(),
  ]);
  // Jobs that never ran have no row yet: listed all the same, so that none goes unnoticed.
  const known = new Set(states.map((state) => state.job));
  const jobs: JobState[] = [
    ...states,
    ...jobNames.filter((job) => !known.has(job)).map((job) => ({ job, runs: 0, failures: 0 })),
  ];
  const subscribers: StatusReport["subscribers"] = { total: 0 };
  for (const status of [...subscriberStatuses, ...Object.keys(subscriberCounts)]) {
    subscribers[status] = subscriberCounts[status] ?? 0;
  }
  subscribers.total = Object.values(subscriberCounts).reduce((sum, n) => sum + n, 0);
  return {
    generatedAt: now.toISOString(),
    editions: editions.map((edition) => {
      const deliveries: Record<string, number> = {};
      for (const status of [...deliveryStatuses, ...Object.keys(edition.deliveries)]) {
        deliveries[status] = edition.deliveries[status] ?? 0;
      }
      return {
        ...edition,
        created: edition.created.toISOString(),
        deliveries,
        paused: edition.paused
          ? { at: edition.paused.at.toISOString(), reason: edition.paused.reason }
          : null,
      };
    }),
    jobs: jobs.map((state) => ({
      job: state.job,
      running: Boolean(state.holder && state.leaseExpires && state.leaseExpires > now),
      holder: state.holder ?? null,
      leaseExpires: iso(state.leaseExpires),
      lastStarted: iso(state.lastStarted),
      lastFinished: iso(state.lastFinished),
      lastSuccess: iso(state.lastSuccess),
      lastFailure: iso(state.lastFailure),
      lastError: state.lastError ?? null,
      lastDurationMs: state.lastDurationMs ?? null,
      runs: state.runs,
      failures: state.failures,
    })),
    subscribers,
  };
}

const short = (stamp: string | null) => (stamp ? stamp.replace(/\.\d{3}Z$/, "Z") : "-");

/** The report as lines for a terminal. */
export function formatStatus(report: StatusReport): string[] {
  const lines: string[] = [];
  lines.push(
    report.editions.length === 0
      ? "editions: none yet"
      : `editions (newest ${report.editions.length}):`,
  );
  for (const edition of report.editions) {
    const segment = edition.segment.length > 0 ? edition.segment.join(",") : "all categories";
    lines.push(
      `  #${edition.id} ${short(edition.created)} ${edition.frequency} ${edition.timezone || "-"} ` +
        `${edition.language || "-"} ${segment} "${edition.subject}"`,
    );
    lines.push(
      `      ${Object.entries(edition.deliveries)
        .map(([status, n]) => `${status} ${n}`)
        .join("  ")}`,
    );
    if (edition.paused) {
      lines.push(`      paused since ${short(edition.paused.at)}: ${edition.paused.reason || "-"}`);
    }
  }
  lines.push("jobs:");
  for (const job of report.jobs) {
    const duration =
      job.lastDurationMs === null ? "" : ` (${(job.lastDurationMs / 1000).toFixed(1)} s)`;
    lines.push(
      `  ${job.job.padEnd(10)} runs ${job.runs}  failures ${job.failures}  ` +
        `last finished ${short(job.lastFinished)}${duration}  last success ${short(job.lastSuccess)}`,
    );
    if (job.running) {
      lines.push(
        `      running: held by ${job.holder} until ${short(job.leaseExpires)} (started ${short(job.lastStarted)})`,
      );
    }
    if (job.lastError !== null) {
      lines.push(`      last failure ${short(job.lastFailure)}: ${job.lastError}`);
    }
  }
  const { total, ...byStatus } = report.subscribers;
  lines.push(
    `subscribers: ${total} (${Object.entries(byStatus)
      .map(([status, n]) => `${status} ${n}`)
      .join(", ")})`,
  );
  return lines;
}

/** Parses --limit: a whole number from 1 to 1000. */
function parseLimit(value: string): number {
  const limit = Number(value);
  if (!/^\d+$/.test(value) || limit < 1 || limit > 1000) {
    throw new InvalidArgumentError("a whole number from 1 to 1000");
  }
  return limit;
}

/** `warta status`: recent editions, jobs and subscribers, for a person or (--json) a machine. */
export function registerStatus(program: Command, open: ContextOpener, io: CliOutput) {
  program
    .command("status")
    .description("show the newest editions and their deliveries, the jobs, and the subscribers")
    .option("--json", "print JSON instead of text")
    .option("-n, --limit <count>", "editions to show (default: 10)", parseLimit)
    .action(async (options: { json?: boolean; limit?: number }, command: Command) => {
      const report = await withContext(open, command.optsWithGlobals(), (ctx) =>
        collectStatus(ctx, options.limit ?? 10),
      );
      if (options.json) io.out(JSON.stringify(report, null, 2));
      else for (const line of formatStatus(report)) io.out(line);
    });
}
