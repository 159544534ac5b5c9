import { describe, expect, it } from "vitest";
import {
  maxPollFloorSeconds,
  nextPollAfterFailure,
  nextPollAfterSuccess,
} from "../../src/sources/index.js";

const now = new Date("2025-03-01T08:00:00Z");

function secondsAfterNow(date: Date): number {
  return (date.getTime() - now.getTime()) / 1000;
}

describe("nextPollAfterSuccess", () => {
  it("waits the minimum interval when the server asks for nothing", () => {
    expect(secondsAfterNow(nextPollAfterSuccess(now, 600))).toBe(600);
  });

  it("waits longer when the server's poll floor is longer than the interval", () => {
    expect(secondsAfterNow(nextPollAfterSuccess(now, 600, 1800))).toBe(1800);
  });

  it("keeps the minimum interval when the poll floor is shorter", () => {
    expect(secondsAfterNow(nextPollAfterSuccess(now, 600, 60))).toBe(600);
  });

  it("caps a very long poll floor at one day", () => {
    expect(secondsAfterNow(nextPollAfterSuccess(now, 600, 31_536_000))).toBe(maxPollFloorSeconds);
  });

  it("does not return a new Date that aliases now", () => {
    const next = nextPollAfterSuccess(now, 0);
    expect(next).not.toBe(now);
    expect(next.getTime()).toBe(now.getTime());
  });
});

describe("nextPollAfterFailure", () => {
  const middle = () => 0.5;
  const backoff = { baseSeconds: 300, maxSeconds: 86_400, random: middle };

  it.each([
    [1, 300],
    [2, 600],
    [3, 1200],
    [4, 2400],
    [9, 76_800],
    [10, 86_400],
    [2000, 86_400],
  ])("waits base·2^(n-1) capped at max after %i failures: %i s", (failures, seconds) => {
    expect(secondsAfterNow(nextPollAfterFailure(now, failures, backoff))).toBe(seconds);
  });

  it("treats zero failures like the first", () => {
    expect(secondsAfterNow(nextPollAfterFailure(now, 0, backoff))).toBe(300);
  });

  it("adds at most 10% of jitter either way", () => {
    const low = nextPollAfterFailure(now, 3, { ...backoff, random: () => 0 });
    const high = nextPollAfterFailure(now, 3, { ...backoff, random: () => 0.999_999 });
    expect(secondsAfterNow(low)).toBe(1080);
    expect(secondsAfterNow(high)).toBeCloseTo(1320, 0);
  });

  it("never jitters past the maximum", () => {
    const next = nextPollAfterFailure(now, 20, { ...backoff, random: () => 0.999_999 });
    expect(secondsAfterNow(next)).toBe(86_400);
  });

  it("never polls before the server's Retry-After", () => {
    const next = nextPollAfterFailure(now, 1, { ...backoff, retryAfterSeconds: 7200 });
    expect(secondsAfterNow(next)).toBe(7200);
  });

  it("keeps the back-off when Retry-After is shorter", () => {
    const next = nextPollAfterFailure(now, 3, { ...backoff, retryAfterSeconds: 60 });
    expect(secondsAfterNow(next)).toBe(1200);
  });

  it("honours a Retry-After beyond the maximum back-off", () => {
    const next = nextPollAfterFailure(now, 1, { ...backoff, retryAfterSeconds: 172_800 });
    expect(secondsAfterNow(next)).toBe(172_800);
  });
});
