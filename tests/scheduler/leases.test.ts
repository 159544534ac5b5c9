import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { runWithLease, startScheduler } from "../../src/scheduler/index.js";
import { type Db, openDatabase, SqlJobStateRepository } from "../../src/store/index.js";
import { newStoreSpec } from "../helpers/store.js";

const quiet = pino({ level: "silent" });

describe("job leases in the store", () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** Two connections to one store (file or schema), as two warta processes would have. */
  async function twoConnections(): Promise<[Db, Db]> {
    const dir = mkdtempSync(path.join(tmpdir(), "warta-leases-"));
    const spec = newStoreSpec(dir);
    const first = await openDatabase(spec);
    const second = await openDatabase(spec);
    cleanups.push(async () => {
      await first.destroy();
      await second.destroy();
      rmSync(dir, { recursive: true, force: true });
    });
    return [first, second];
  }

  it("let only one of two schedulers on one store run a job at a time", async () => {
    const [dbA, dbB] = await twoConnections();
    const runs: string[] = [];
    let active = 0;
    let overlapped = false;
    const job = (holder: string) => async () => {
      active += 1;
      if (active > 1) overlapped = true;
      await new Promise((resolve) => setTimeout(resolve, 1_300));
      active -= 1;
      runs.push(holder);
    };
    const schedulers = ["a", "b"].map((holder, index) =>
      startScheduler([{ name: "digest", cron: "* * * * * *", run: job(holder) }], {
        timezone: "Asia/Jakarta",
        logger: quiet,
        leases: {
          repository: new SqlJobStateRepository(index === 0 ? dbA : dbB),
          holder,
          ttlMs: 5_000,
        },
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 5_500));
    await Promise.all(schedulers.map((s) => s.stop()));
    // Both fired every second; the lease let through one run at a time, from either process.
    expect(runs.length).toBeGreaterThanOrEqual(2);
    expect(overlapped).toBe(false);
    const [state] = await new SqlJobStateRepository(dbA).all();
    expect(state).toMatchObject({ job: "digest", runs: runs.length, failures: 0 });
    expect(state?.holder).toBeUndefined();
    expect(state?.lastSuccess).toBeInstanceOf(Date);
  });

  it("stop blocking others once a crashed holder's lease expires", async () => {
    const [dbA, dbB] = await twoConnections();
    const a = new SqlJobStateRepository(dbA);
    const b = new SqlJobStateRepository(dbB);
    const t0 = new Date("2024-05-04T23:00:00Z");
    const at = (ms: number) => new Date(t0.getTime() + ms);
    // "a" takes the lease and dies without releasing it.
    expect(await a.acquire("send", "a", t0, 60_000)).toBe(true);
    expect(await b.acquire("send", "b", at(59_000), 60_000)).toBe(false);
    expect(await b.acquire("send", "b", at(60_000), 60_000)).toBe(true);
    // The old holder cannot renew or release a lease it lost.
    expect(await a.renew("send", "a", at(61_000), 60_000)).toBe(false);
    await a.release("send", "a", { started: t0, finished: at(62_000), error: "killed" });
    const [state] = await b.all();
    expect(state).toMatchObject({ holder: "b", failures: 1, lastError: "killed" });
  });

  it("record a failed run and let the next one start", async () => {
    const [db] = await twoConnections();
    const repository = new SqlJobStateRepository(db);
    const leases = { repository, holder: "a", ttlMs: 60_000 };
    await expect(
      runWithLease("collect", leases, async () => {
        throw new Error("source exploded");
      }),
    ).rejects.toThrow("source exploded");
    const outcome = await runWithLease("collect", leases, async () => 42);
    expect(outcome).toEqual({ ran: true, result: 42 });
    const [state] = await repository.all();
    expect(state).toMatchObject({ runs: 2, failures: 1, lastError: "source exploded" });
    expect(state?.lastSuccess?.getTime()).toBeGreaterThanOrEqual(state!.lastFailure!.getTime());
  });
});
