import { describe, expect, it } from "vitest";
import { AppError } from "../../src/shared/errors.js";
import { normaliseAddress } from "../../src/subscriptions/address.js";
import { thrownBy } from "../helpers/errors.js";

describe("e-mail addresses", () => {
  it("are trimmed, lower-cased and given an ASCII domain", () => {
    expect(normaliseAddress("  Budi.Santoso@Example.ORG ")).toBe("budi.santoso@example.org");
    expect(normaliseAddress("redaksi@berita.bücher.de")).toBe("redaksi@berita.xn--bcher-kva.de");
    expect(normaliseAddress("ana+news@example.co.id")).toBe("ana+news@example.co.id");
  });

  it("are refused with the address named when they cannot receive mail", () => {
    for (const bad of [
      "",
      "budi",
      "budi@",
      "@example.org",
      "budi@localhost",
      "budi@@example.org",
      "budi @example.org",
      "Budi <budi@example.org>",
      `${"a".repeat(250)}@example.org`,
      "budi@example..org",
    ]) {
      const error = thrownBy(() => normaliseAddress(bad));
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code, bad).toBe("MAIL_ADDRESS");
      expect((error as AppError).message).toContain(bad.trim());
    }
  });
});
