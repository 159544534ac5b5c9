import { createHash } from "node:crypto";

/** What a limit said: allowed, or refused with the seconds until it allows again. */
export type LimitResult = { allowed: true } | { allowed: false; retryAfter: number };

/**
 * Hit counters in fixed windows: a key's window starts at its first hit and lasts `windowMs`;
 * the first hit after it has ended starts the next. `SqlRateLimits` keeps them in the store,
 * shared by every process on it.
 */
export interface WindowCounter {
  /** Counts one hit of `key` and returns the hits of its window so far and when it ends. */
  hit(key: string, windowMs: number, now: Date): Promise<{ hits: number; windowEnds: Date }>;
}

/** Windows kept in memory before the ended ones are swept. */
const MEMORY_SWEEP_AT = 10_000;

/**
 * The same counters in the memory of one process, for a web handler given no store counter:
 * they reset on restart, and each process behind a load balancer counts on its own.
 */
export class MemoryWindowCounter implements WindowCounter {
  private readonly windows = new Map<string, { hits: number; ends: number }>();

  async hit(key: string, windowMs: number, now: Date): Promise<{ hits: number; windowEnds: Date }> {
    const time = now.getTime();
    if (this.windows.size >= MEMORY_SWEEP_AT) {
      for (const [known, window] of this.windows) {
        if (window.ends <= time) this.windows.delete(known);
      }
    }
    let window = this.windows.get(key);
    if (!window || window.ends <= time) {
      window = { hits: 0, ends: time + windowMs };
      this.windows.set(key, window);
    }
    window.hits += 1;
    return { hits: window.hits, windowEnds: new Date(window.ends) };
  }
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/**
 * The limits of POST /subscribe: requests per client address per hour, and requests per
 * e-mail address per day (so that nobody can flood a mailbox with confirmation emails).
 * Counted by `counter`: in the store, every `warta serve` on it shares the same limits.
 */
export class SubscribeLimits {
  private readonly counter: WindowCounter;

  constructor(
    private readonly options: {
      perIpPerHour: number;
      perAddressPerDay: number;
      /** Where the hits are counted (default: in this process's memory). */
      counter?: WindowCounter;
      now: () => Date;
    },
  ) {
    this.counter = options.counter ?? new MemoryWindowCounter();
  }

  /** Counts one request from a client address. */
  takeIp(ip: string): Promise<LimitResult> {
    return this.take(`subscribe-ip:${digest(ip)}`, this.options.perIpPerHour, HOUR_MS);
  }

  /** Counts one request for a normalised e-mail address. */
  takeAddress(email: string): Promise<LimitResult> {
    return this.take(`subscribe-address:${digest(email)}`, this.options.perAddressPerDay, DAY_MS);
  }

  private async take(key: string, points: number, windowMs: number): Promise<LimitResult> {
    const now = this.options.now();
    const { hits, windowEnds } = await this.counter.hit(key, windowMs, now);
    if (hits <= points) return { allowed: true };
    const retryAfter = Math.max(1, Math.ceil((windowEnds.getTime() - now.getTime()) / 1000));
    return { allowed: false, retryAfter };
  }
}

/** Keys name addresses by their hash: the counters never list who asked. */
function digest(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("base64url");
}
