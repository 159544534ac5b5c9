import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Signed links. A token names an action and a subscriber, is bound to the subscriber's address
 * (so that it cannot act on someone else who later gets the same id), may expire, and is signed
 * with HMAC-SHA256 under the site's secret:
 *
 *   <action>.<subscriber id, base 36>.<address tag>.<expiry, unix seconds base 36, or 0>.<signature>
 *
 * Actions: "confirm" (double opt-in, expires), "manage" (preferences and unsubscribe links in
 * every digest; these must keep working from old emails, so they do not expire).
 */
export type TokenAction = "confirm" | "manage";
const actions: readonly TokenAction[] = ["confirm", "manage"];

/** What a valid token says. */
export interface TokenClaims {
  action: TokenAction;
  subscriberId: number;
  /** Tag of the address the token was made for; compare with `addressTag(email)`. */
  addressTag: string;
  expires: Date | null;
}

/** Why a token was refused: tampered or malformed ("invalid"), or too old ("expired"). */
export class TokenError extends Error {
  override readonly name = "TokenError";
  constructor(
    readonly reason: "invalid" | "expired",
    message: string,
  ) {
    super(message);
  }
}

/** Signs and checks link tokens with one secret. */
export class TokenSigner {
  private readonly key: Buffer;

  constructor(secret: string) {
    if (secret.length < 32) throw new Error("tokens: the secret must be at least 32 characters");
    this.key = Buffer.from(secret, "utf8");
  }

  /** A short keyed tag of an address: binds tokens to it without revealing it. */
  addressTag(email: string): string {
    return this.mac(`address:${email}`).subarray(0, 6).toString("base64url");
  }

  /** Makes a token; `ttlSeconds` omitted means it never expires. */
  sign(
    action: TokenAction,
    subscriber: { id: number; email: string },
    now: Date,
    ttlSeconds?: number,
  ): string {
    const expires =
      ttlSeconds === undefined ? 0 : Math.floor(now.getTime() / 1000) + Math.ceil(ttlSeconds);
    const payload = [
      action,
      subscriber.id.toString(36),
      this.addressTag(subscriber.email),
      expires.toString(36),
    ].join(".");
    return `${payload}.${this.signature(payload)}`;
  }

  /** Checks a token for the expected action; throws TokenError when it is not good. */
  verify(token: string, expected: TokenAction, now: Date): TokenClaims {
    const parts = token.split(".");
    if (parts.length !== 5) throw new TokenError("invalid", "tokens: malformed token");
    const [action, id, tag, expiry, signature] = parts as [string, string, string, string, string];
    const payload = parts.slice(0, 4).join(".");
    const wanted = Buffer.from(this.signature(payload));
    const given = Buffer.from(signature);
    if (given.length !== wanted.length || !timingSafeEqual(given, wanted)) {
      throw new TokenError("invalid", "tokens: bad signature");
    }
    if (!actions.includes(action as TokenAction) || action !== expected) {
      throw new TokenError("invalid", `tokens: a ${action} token where ${expected} was expected`);
    }
    const subscriberId = Number.parseInt(id, 36);
    const expiresAt = Number.parseInt(expiry, 36);
    if (!Number.isSafeInteger(subscriberId) || !Number.isSafeInteger(expiresAt)) {
      throw new TokenError("invalid", "tokens: malformed token");
    }
    if (expiresAt !== 0 && now.getTime() / 1000 > expiresAt) {
      throw new TokenError("expired", "tokens: the link has expired");
    }
    return {
      action: action as TokenAction,
      subscriberId,
      addressTag: tag,
      expires: expiresAt === 0 ? null : new Date(expiresAt * 1000),
    };
  }

  private signature(payload: string): string {
    return this.mac(`token:${payload}`).subarray(0, 18).toString("base64url");
  }

  private mac(text: string): Buffer {
    return createHmac("sha256", this.key).update(text).digest();
  }
}
