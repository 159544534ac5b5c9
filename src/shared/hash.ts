import { createHash } from "node:crypto";

/** Hex SHA-256 of the given parts, joined with a NUL so that ("ab","c") differs from ("a","bc"). */
export function sha256Hex(...parts: string[]): string {
  const hash = createHash("sha256");
  parts.forEach((part, index) => {
    if (index > 0) hash.update("\0");
    hash.update(part);
  });
  return hash.digest("hex");
}
