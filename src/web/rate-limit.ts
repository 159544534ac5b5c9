import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";

/** What a limit said: allowed, or refused with the seconds until it allows again. */
export type LimitResult = { allowed: true } | { allowed: false; retryAfter: number };

/**
 * The limits of POST /subscribe, kept in memory (one process; they reset on restart):
 * requests per client address per hour, and requests per e-mail address per day (so that
 * nobody can flood a mailbox with confirmation emails).
 */
export class SubscribeLimits {
  private readonly perIp: RateLimiterMemory;
  private readonly perAddress: RateLimiterMemory;

  constructor(options: { perIpPerHour: number; perAddressPerDay: number }) {
    this.perIp = new RateLimiterMemory({
      keyPrefix: "subscribe-ip",
      points: options.perIpPerHour,
      duration: 3600,
    });
    this.perAddress = new RateLimiterMemory({
      keyPrefix: "subscribe-address",
      points: options.perAddressPerDay,
      duration: 86_400,
    });
  }

  /** Counts one request from a client address. */
  takeIp(ip: string): Promise<LimitResult> {
    return take(this.perIp, ip);
  }

  /** Counts one request for a normalised e-mail address. */
  takeAddress(email: string): Promise<LimitResult> {
    return take(this.perAddress, email);
  }
}

async function take(limiter: RateLimiterMemory, key: string): Promise<LimitResult> {
  try {
    await limiter.consume(key, 1);
    return { allowed: true };
  } catch (refusal) {
    if (refusal instanceof RateLimiterRes) {
      return { allowed: false, retryAfter: Math.max(1, Math.ceil(refusal.msBeforeNext / 1000)) };
    }
    throw refusal;
  }
}
