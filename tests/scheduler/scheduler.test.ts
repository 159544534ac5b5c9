import { Writable } from "node:stream";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { startScheduler } from "../../src/scheduler/index.js";

function memoryLogger() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      callback();
    },
  });
  return { logger: pino({ level: "info" }, stream), lines };
}

function waitFor(condition: () => boolean, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 15_000;
    const timer = setInterval(() => {
      if (condition()) {
        clearInterval(timer);
        resolve();
      } else if (Date.now() > deadline) {
        clearInterval(timer);
        reject(new Error(`timed out waiting for ${what}`));
      }
    }, 20);
  });
}

describe("scheduler", () => {
  it("keeps firing the other jobs when one fails, and logs the failure", async () => {
    const { logger, lines } = memoryLogger();
    let good = 0;
    let bad = 0;
    const scheduler = startScheduler(
      [
        {
          name: "bad",
          cron: "* * * * * *",
          run: async () => {
            bad += 1;
            throw new Error("source exploded");
          },
        },
        {
          name: "good",
          cron: "* * * * * *",
          run: async () => {
            good += 1;
          },
        },
      ],
      { timezone: "Asia/Jakarta", logger },
    );
    try {
      await waitFor(() => good >= 2 && bad >= 2, "both jobs to fire twice");
    } finally {
      await scheduler.stop();
    }
    const failures = lines.filter((l) => l.msg === "job failed");
    expect(failures.length).toBeGreaterThanOrEqual(2);
    expect(failures[0]).toMatchObject({ job: "bad", err: "source exploded" });
  });

  it("never runs a job while its previous run is still going", async () => {
    const { logger } = memoryLogger();
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    const scheduler = startScheduler(
      [
        {
          name: "slow",
          cron: "* * * * * *",
          run: async () => {
            running += 1;
            maxRunning = Math.max(maxRunning, running);
            // Longer than the one-second period, so the next tick finds it busy.
            await new Promise((resolve) => setTimeout(resolve, 2_500));
            running -= 1;
            runs += 1;
          },
        },
      ],
      { timezone: "Asia/Jakarta", logger },
    );
    try {
      await waitFor(() => runs >= 2, "two runs of the slow job");
    } finally {
      await scheduler.stop();
    }
    expect(maxRunning).toBe(1);
  });

  it("computes the next run in the configured time zone", async () => {
    const { logger } = memoryLogger();
    const scheduler = startScheduler([{ name: "digest", cron: "0 6 * * *", run: async () => {} }], {
      timezone: "Asia/Jakarta",
      logger,
    });
    try {
      const next = scheduler.nextRuns()[0]?.next;
      expect(next).toBeInstanceOf(Date);
      // 06:00 in Jakarta (UTC+7) is 23:00 UTC.
      expect(next?.getUTCHours()).toBe(23);
      expect(next?.getUTCMinutes()).toBe(0);
    } finally {
      await scheduler.stop();
    }
  });
});
