import type { JobState, JobStateRepository } from "../domain/job.js";
import type { Db } from "./database.js";

const toDate = (value: string | null) => (value === null ? undefined : new Date(value));

/** Job leases and run history in the SQL store. */
export class SqlJobStateRepository implements JobStateRepository {
  constructor(private readonly db: Db) {}

  async acquire(job: string, holder: string, now: Date, ttlMs: number): Promise<boolean> {
    const stamp = now.toISOString();
    const expires = new Date(now.getTime() + ttlMs).toISOString();
    // One statement: insert the job's row, or take it over only when the lease is free, has
    // expired or is ours. The database decides, so two processes cannot both win.
    const result = await this.db
      .insertInto("job_state")
      .values({ job, holder, lease_expires_at: expires, last_started_at: stamp })
      .onConflict((oc) =>
        oc
          .column("job")
          .doUpdateSet({ holder, lease_expires_at: expires, last_started_at: stamp })
          .where((eb) =>
            eb.or([
              eb("job_state.holder", "is", null),
              eb("job_state.holder", "=", holder),
              eb("job_state.lease_expires_at", "<=", stamp),
            ]),
          ),
      )
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async renew(job: string, holder: string, now: Date, ttlMs: number): Promise<boolean> {
    const result = await this.db
      .updateTable("job_state")
      .set({ lease_expires_at: new Date(now.getTime() + ttlMs).toISOString() })
      .where("job", "=", job)
      .where("holder", "=", holder)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async release(
    job: string,
    holder: string,
    run: { started: Date; finished: Date; error?: string },
  ): Promise<void> {
    const finished = run.finished.toISOString();
    await this.db
      .updateTable("job_state")
      .set((eb) => ({
        last_finished_at: finished,
        last_duration_ms: run.finished.getTime() - run.started.getTime(),
        runs: eb("runs", "+", 1),
        ...(run.error === undefined
          ? { last_success_at: finished }
          : { last_failure_at: finished, last_error: run.error, failures: eb("failures", "+", 1) }),
      }))
      .where("job", "=", job)
      .execute();
    // The lease is given up only if it is still ours.
    await this.db
      .updateTable("job_state")
      .set({ holder: null, lease_expires_at: null })
      .where("job", "=", job)
      .where("holder", "=", holder)
      .execute();
  }

  async all(): Promise<JobState[]> {
    const rows = await this.db.selectFrom("job_state").selectAll().orderBy("job").execute();
    return rows.map((row) => {
      const state: JobState = { job: row.job, runs: row.runs, failures: row.failures };
      if (row.holder !== null) state.holder = row.holder;
      const dates = {
        leaseExpires: toDate(row.lease_expires_at),
        lastStarted: toDate(row.last_started_at),
        lastFinished: toDate(row.last_finished_at),
        lastSuccess: toDate(row.last_success_at),
        lastFailure: toDate(row.last_failure_at),
      };
      for (const [key, value] of Object.entries(dates)) {
        if (value) state[key as keyof typeof dates] = value;
      }
      if (row.last_error !== null) state.lastError = row.last_error;
      if (row.last_duration_ms !== null) state.lastDurationMs = row.last_duration_ms;
      return state;
    });
  }
}
