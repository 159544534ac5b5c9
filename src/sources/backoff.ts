/**
 * The poll schedule of a remote source: when to ask again after a success or a failure.
 * Pure: the clock and the randomness come in as arguments.
 */

/** Longest Cache-Control/Retry-After floor honoured after a success: a year-long max-age on a feed would silence it. */
export const maxPollFloorSeconds = 86_400;

/** Share of the back-off added or removed at random, so that failed sources do not retry in step. */
const jitter = 0.1;

/** Options of `nextPollAfterFailure`; base and max come from the `fetch` config section. */
export interface FailureBackoff {
  /** First back-off, in seconds (fetch.backoff_base). */
  baseSeconds: number;
  /** Longest back-off, in seconds (fetch.backoff_max). */
  maxSeconds: number;
  /** The server's Retry-After, in seconds: never poll earlier than that. */
  retryAfterSeconds?: number;
  /** A number in [0, 1), like Math.random (the default). */
  random?: () => number;
}

/**
 * When to poll again after a successful poll: after the source's minimum interval, or later if
 * the server asked for it (`pollFloorSeconds`, capped at `maxPollFloorSeconds`).
 */
export function nextPollAfterSuccess(
  now: Date,
  minIntervalSeconds: number,
  pollFloorSeconds?: number,
): Date {
  const floor = Math.min(Math.max(0, pollFloorSeconds ?? 0), maxPollFloorSeconds);
  return addSeconds(now, Math.max(Math.max(0, minIntervalSeconds), floor));
}

/**
 * When to poll again after `consecutiveFailures` failures in a row (1 for the first):
 * base·2^(n-1) seconds capped at max, ±10% jitter, never before the server's Retry-After.
 * @example nextPollAfterFailure(now, 3, { baseSeconds: 300, maxSeconds: 86_400 }) // ≈ now + 20 min
 */
export function nextPollAfterFailure(
  now: Date,
  consecutiveFailures: number,
  backoff: FailureBackoff,
): Date {
  const { baseSeconds, maxSeconds, retryAfterSeconds, random = Math.random } = backoff;
  const failures = Math.max(1, Math.floor(consecutiveFailures));
  // 2 ** 1100 is Infinity, which Math.min turns back into maxSeconds.
  const exponential = Math.min(maxSeconds, baseSeconds * 2 ** (failures - 1));
  const factor = 1 + jitter * (2 * clampUnit(random()) - 1);
  // Jitter is applied before the cap, so that maxSeconds stays the true longest wait.
  const delay = Math.min(maxSeconds, exponential * factor);
  return addSeconds(now, Math.max(delay, retryAfterSeconds ?? 0));
}

function clampUnit(value: number): number {
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0.5;
}

function addSeconds(date: Date, seconds: number): Date {
  return new Date(date.getTime() + Math.round(seconds * 1000));
}
