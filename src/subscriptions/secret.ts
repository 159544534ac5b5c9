import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { AppError, errorMessage } from "../shared/errors.js";

/**
 * The key that signs links: WARTA_SECRET when set (it must be the same on every machine that
 * serves pages or sends digests); otherwise a random key generated on first use and kept in
 * `<data>/secret.key` (readable by the owner only), so that links stay valid across restarts.
 */
export async function resolveSecret(
  fromEnvironment: string | undefined,
  dataDir: string,
): Promise<string> {
  if (fromEnvironment) return fromEnvironment;
  const file = path.join(dataDir, "secret.key");
  try {
    const stored = (await readFile(file, "utf8")).trim();
    if (stored.length >= 32) return stored;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") {
      throw new AppError("CONFIG_READ", `config: cannot read ${file}: ${errorMessage(error)}`, {
        cause: error,
      });
    }
  }
  const secret = randomBytes(32).toString("base64url");
  try {
    await mkdir(dataDir, { recursive: true });
    // "wx": two processes starting at once must not overwrite each other's key.
    await writeFile(file, `${secret}\n`, { mode: 0o600, flag: "wx" });
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") {
      return (await readFile(file, "utf8")).trim();
    }
    throw new AppError("CONFIG_READ", `config: cannot write ${file}: ${errorMessage(error)}`, {
      cause: error,
    });
  }
}
