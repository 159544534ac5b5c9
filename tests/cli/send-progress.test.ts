import { describe, expect, it } from "vitest";
import { createSendProgress, type ProgressStream } from "../../src/cli/send-progress.js";

/** A stand-in for standard error that keeps what is written. */
function fakeStream(isTTY: boolean): ProgressStream & { chunks: string[] } {
  const chunks: string[] = [];
  return {
    isTTY,
    columns: 200,
    chunks,
    write(chunk: string) {
      chunks.push(chunk);
      return true;
    },
  };
}

/** A clock the test moves by hand, in milliseconds. */
function fakeClock() {
  let ms = 0;
  return { now: () => ms, advance: (by: number) => (ms += by) };
}

describe("send progress", () => {
  it("logs structured progress lines at most every interval, then a summary, when not on a terminal", () => {
    const stream = fakeStream(false);
    const clock = fakeClock();
    const progress = createSendProgress({ stream, now: clock.now, intervalMs: 5_000 });
    const steps = [
      { at: 1_000, sent: 10, deferred: 0, failed: 0, bounced: 0, remaining: 90 },
      { at: 2_000, sent: 20, deferred: 1, failed: 0, bounced: 0, remaining: 79 },
      { at: 3_000, sent: 50, deferred: 1, failed: 1, bounced: 0, remaining: 48 },
      { at: 1_000, sent: 60, deferred: 1, failed: 1, bounced: 1, remaining: 37 },
      { at: 6_000, sent: 97, deferred: 1, failed: 1, bounced: 1, remaining: 0 },
    ];
    for (const { at, ...counts } of steps) {
      clock.advance(at);
      progress.onProgress(counts);
    }
    progress.finish();
    const lines = stream.chunks
      .join("")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    // Progress at 6 s (the first call 5 s after the start) and at 13 s; the summary at the end.
    expect(lines.map((line) => line.msg)).toEqual([
      "send: progress",
      "send: progress",
      "send: finished",
    ]);
    expect(lines[0]).toMatchObject({
      level: 30,
      component: "send",
      sent: 50,
      deferred: 1,
      failed: 1,
      bounced: 0,
      remaining: 48,
      elapsedMs: 6_000,
      rate: 8.67,
      etaSeconds: 6,
    });
    expect(lines[1]).toMatchObject({ sent: 97, remaining: 0, elapsedMs: 13_000, etaSeconds: 0 });
    expect(lines[2]).toMatchObject({ sent: 97, deferred: 1, failed: 1, bounced: 1, remaining: 0 });
    expect(lines[2]).not.toHaveProperty("etaSeconds");
  });

  it("logs only the summary of a send quicker than the interval", () => {
    const stream = fakeStream(false);
    const clock = fakeClock();
    const progress = createSendProgress({ stream, now: clock.now });
    clock.advance(200);
    progress.onProgress({ sent: 3, deferred: 0, failed: 0, bounced: 0, remaining: 0 });
    progress.finish();
    const lines = stream.chunks.join("").trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ msg: "send: finished", sent: 3, rate: 15 });
  });

  it("draws a bar with the counts, the rate and the time left on a terminal", () => {
    const stream = fakeStream(true);
    const clock = fakeClock();
    const progress = createSendProgress({ stream, now: clock.now });
    clock.advance(2_000);
    progress.onProgress({ sent: 8, deferred: 1, failed: 1, bounced: 0, remaining: 30 });
    clock.advance(2_000);
    progress.onProgress({ sent: 30, deferred: 2, failed: 1, bounced: 1, remaining: 6 });
    progress.finish();
    // What a terminal shows: the last line drawn, without the cursor movements.
    const screen = stream.chunks
      .join("")
      // biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escape sequences
      .replace(/\x1B(\[[0-9;?]*[A-Za-z]|[78])/g, "")
      .split(/[\r\n]/)
      .filter((line) => line.trim() !== "");
    const last = screen[screen.length - 1]!;
    expect(last).toContain("34/40");
    expect(last).toContain("85%");
    expect(last).toMatch(/sent 30 deferred 2 failed 1 bounced 1/);
    expect(last).toContain("remaining 6");
    expect(last).toContain("8.5 msg/s");
    expect(last).toContain("ETA 1s");
    // The first draw showed the start of the run.
    expect(screen.some((line) => line.includes("10/40") && line.includes("remaining 30"))).toBe(
      true,
    );
    // The bar ends with a new line, so that the summary starts on its own.
    expect(stream.chunks[stream.chunks.length - 1]).toBe("\n");
  });
});
