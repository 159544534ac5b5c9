import { describe, expect, it } from "vitest";
import { TokenError, TokenSigner } from "../../src/subscriptions/tokens.js";

const secret = "s3cret-s3cret-s3cret-s3cret-s3cret-42";
const signer = new TokenSigner(secret);
const ana = { id: 41, email: "budi.santoso@example.org" };
const now = new Date("2024-05-04T00:00:00Z");

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof TokenError) return error.reason;
    throw error;
  }
  return "accepted";
}

describe("link tokens", () => {
  it("carry the action, the subscriber and a tag of the address", () => {
    const token = signer.sign("manage", ana, now);
    const claims = signer.verify(token, "manage", new Date("2030-01-01T00:00:00Z"));
    expect(claims.subscriberId).toBe(41);
    expect(claims.addressTag).toBe(signer.addressTag("budi.santoso@example.org"));
    expect(claims.addressTag).not.toBe(signer.addressTag("budi.santosa@example.org"));
    expect(claims.expires).toBeNull();
    // Nothing in the token shows the address.
    expect(token).not.toMatch(/budi|santoso|example/);
  });

  it("expire when given a lifetime", () => {
    const token = signer.sign("confirm", ana, now, 3600);
    expect(signer.verify(token, "confirm", new Date("2024-05-04T00:59:00Z")).expires).toEqual(
      new Date("2024-05-04T01:00:00Z"),
    );
    expect(refusal(() => signer.verify(token, "confirm", new Date("2024-05-04T01:00:01Z")))).toBe(
      "expired",
    );
  });

  it("refuse any change to a character, another action, another key or garbage", () => {
    const token = signer.sign("confirm", ana, now, 3600);
    const parts = token.split(".");
    // Another subscriber id with the original signature.
    const otherId = [parts[0], (42).toString(36), ...parts.slice(2)].join(".");
    expect(refusal(() => signer.verify(otherId, "confirm", now))).toBe("invalid");
    // A later expiry with the original signature.
    const later = [...parts.slice(0, 3), "zzzzzz", parts[4]].join(".");
    expect(refusal(() => signer.verify(later, "confirm", now))).toBe("invalid");
    for (let index = 0; index < token.length; index += 1) {
      if (token[index] === ".") continue;
      const flipped =
        token.slice(0, index) + (token[index] === "a" ? "b" : "a") + token.slice(index + 1);
      expect(refusal(() => signer.verify(flipped, "confirm", now))).toBe("invalid");
    }
    expect(refusal(() => signer.verify(token, "manage", now))).toBe("invalid");
    const stranger = new TokenSigner("another-secret-another-secret-12345");
    expect(refusal(() => stranger.verify(token, "confirm", now))).toBe("invalid");
    for (const junk of ["", "a.b.c.d.e", "confirm.1.x.0", "....."]) {
      expect(refusal(() => signer.verify(junk, "confirm", now))).toBe("invalid");
    }
  });

  it("need a secret of at least 32 characters", () => {
    expect(() => new TokenSigner("short")).toThrow(/32/);
  });
});
