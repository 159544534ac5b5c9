import type { Db } from "./database.js";

/** A row of migration 0007: the hits of one key in its current window. */
interface RateLimitsTable {
  key: string;
  hits: number;
  window_ends: string;
}

/** The hits counted so far in a key's window, and when that window ends. */
export interface WindowCount {
  hits: number;
  windowEnds: Date;
}

/** Expired windows are deleted at most this often by one process. */
const SWEEP_EVERY_MS = 10 * 60_000;

/**
 * Fixed-window hit counters in the SQL store, so that every process on the store counts
 * against the same limits (the subscription form's, behind a load balancer).
 */
export class SqlRateLimits {
  private nextSweep = 0;

  constructor(private readonly db: Db) {}

  /**
   * Counts one hit of `key` and returns the hits of its window so far. The first hit after a
   * window has ended starts a new one of `windowMs`. One statement, so hits arriving at once on
   * several processes are all counted.
   */
  async hit(key: string, windowMs: number, now: Date): Promise<WindowCount> {
    const stamp = now.toISOString();
    const ends = new Date(now.getTime() + windowMs).toISOString();
    const row = await this.table()
      .insertInto("rate_limits")
      .values({ key, hits: 1, window_ends: ends })
      .onConflict((oc) =>
        oc.column("key").doUpdateSet((eb) => {
          const ended = eb("rate_limits.window_ends", "<=", stamp);
          return {
            hits: eb
              .case()
              .when(ended)
              .then(eb.lit(1))
              .else(eb("rate_limits.hits", "+", eb.lit(1)))
              .end(),
            window_ends: eb
              .case()
              .when(ended)
              .then(eb.ref("excluded.window_ends"))
              .else(eb.ref("rate_limits.window_ends"))
              .end(),
          };
        }),
      )
      .returning(["hits", "window_ends"])
      .executeTakeFirstOrThrow();
    await this.sweep(now);
    return { hits: Number(row.hits), windowEnds: new Date(row.window_ends) };
  }

  /** Deletes the windows that have ended (a few minutes apart at most, per process). */
  private async sweep(now: Date): Promise<void> {
    if (now.getTime() < this.nextSweep) return;
    this.nextSweep = now.getTime() + SWEEP_EVERY_MS;
    await this.table()
      .deleteFrom("rate_limits")
      .where("window_ends", "<=", now.toISOString())
      .execute();
  }

  private table() {
    return this.db.withTables<{ rate_limits: RateLimitsTable }>();
  }
}
