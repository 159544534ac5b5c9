import { Worker } from "node:worker_threads";
import { describe, expect, it } from "vitest";
import { parseFeed } from "../../../src/extract/feed/index.js";
import { isAppError } from "../../../src/shared/errors.js";
import { thrownBy } from "../../helpers/errors.js";
import type { LimitOutcome } from "./limits-worker.js";

/**
 * Runs a scenario of limits-worker.ts in a worker thread whose old generation may not grow
 * past `heapMb`: if the parse needed more, the worker dies and the promise rejects.
 */
function runScenario(scenario: string, heapMb: number): Promise<LimitOutcome> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./worker-boot.mjs", import.meta.url), {
      workerData: { scenario, entry: new URL("./limits-worker.ts", import.meta.url).href },
      resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: 16 },
    });
    worker.once("message", (outcome: LimitOutcome) => {
      void worker.terminate();
      resolve(outcome);
    });
    worker.once("error", reject);
  });
}

describe("parseFeed limits", () => {
  it("refuses a 50 MB feed by its size, without decoding or parsing it", async () => {
    // 24 MB of heap could not even hold the 50 MB body decoded as a string.
    const outcome = await runScenario("oversize", 24);
    expect(outcome.bodyBytes).toBeGreaterThan(50 * 1024 * 1024 - 100);
    expect(outcome.status).toBe("rejected");
    expect(outcome.code).toBe("PARSE_TOO_LARGE");
    expect(outcome.message).toMatch(
      /^feed: https:\/\/news\.example\/rss: \d+ bytes is over the limit of 20971520 bytes/,
    );
    expect(outcome.ms).toBeLessThan(50);
    expect(outcome.heapGrowthMb).toBeLessThan(1);
  });

  it("parses a 15 MB feed with many items under a 128 MB heap", async () => {
    const outcome = await runScenario("fifteen-mb", 128);
    expect(outcome.status).toBe("parsed");
    expect(outcome.bodyBytes).toBeGreaterThan(15 * 1024 * 1024);
    expect(outcome.entries).toBeGreaterThan(25_000);
    expect(outcome.firstTitle).toBe("Berita nomor 0 tentang ekonomi — café");
  }, 60_000);

  it("refuses a billion-laughs document with one clear error, without expanding it", async () => {
    const outcome = await runScenario("billion-laughs", 32);
    expect(outcome.status).toBe("rejected");
    expect(outcome.code).toBe("PARSE_ENTITY_EXPANSION");
    expect(outcome.message).toMatch(
      /^feed: https:\/\/news\.example\/rss: line \d+: the DOCTYPE defines entity "lol1" in terms of other entities/,
    );
    expect(outcome.heapGrowthMb).toBeLessThan(5);
  });

  it("does not expand a large entity referenced many times (quadratic blowup)", async () => {
    const outcome = await runScenario("quadratic-blowup", 48);
    expect(outcome.status).toBe("parsed");
    // The references stay as written: 100,000 × "&big;" is 500,000 characters, not 5 GB.
    expect(outcome.firstSummaryLength).toBeLessThanOrEqual(100_000 * "&big;".length);
    expect(outcome.heapGrowthMb).toBeLessThan(40);
  });

  it("survives 200,000 levels of nested elements without exhausting the stack", async () => {
    const outcome = await runScenario("deep-nesting", 96);
    expect(outcome.status).toBe("parsed");
    // The item buried 200,000 levels deep is not an entry of the channel; the next one is.
    expect(outcome.entries).toBe(1);
    expect(outcome.firstTitle).toBe("Judul");
  });

  it("builds at most 100,000 entries from 20 MB of empty items", async () => {
    const outcome = await runScenario("empty-items", 96);
    expect(outcome.status).toBe("parsed");
    expect(outcome.entries).toBe(100_000);
  }, 60_000);

  it("survives 200,000 items nested in one another", async () => {
    const outcome = await runScenario("nested-items", 96);
    expect(outcome.status).toBe("parsed");
    // Items nested deeper than the depth limit are not built.
    expect(outcome.entries).toBeLessThanOrEqual(256);
  });

  it("survives a deeply nested JSON Feed", async () => {
    const outcome = await runScenario("deep-json", 96);
    expect(outcome.status).toBe("parsed");
    expect(outcome.firstTitle).toBe("Judul");
  });

  it("refuses random bytes with one AppError", async () => {
    const outcome = await runScenario("random-bytes", 64);
    expect(outcome.status).toBe("rejected");
    expect(outcome.code).toMatch(/^PARSE_(UNKNOWN_FORMAT|FEED)$/);
  });

  it("honours a smaller maxBytes", () => {
    const body = Buffer.from('<rss version="2.0"><channel><title>Kecil</title></channel></rss>');
    const error = thrownBy(() =>
      parseFeed(body, { url: "https://news.example/rss", timezone: "UTC", maxBytes: 10 }),
    );
    expect(isAppError(error, "PARSE_TOO_LARGE")).toBe(true);
    expect(parseFeed(body, { url: "https://news.example/rss", timezone: "UTC" }).title).toBe(
      "Kecil",
    );
  });
});
