import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { FileWriter } from "../domain/ports.js";
import { AppError } from "../shared/errors.js";

/** Writes files under `root` atomically: a temporary file in the same folder, then rename. */
export class AtomicFileWriter implements FileWriter {
  constructor(readonly root: string) {}

  async write(relativePath: string, body: string): Promise<boolean> {
    const target = path.resolve(this.root, relativePath);
    if (!target.startsWith(path.resolve(this.root) + path.sep)) {
      throw new AppError("PUBLISH_WRITE", `publish: ${relativePath} is outside ${this.root}`);
    }
    const bytes = Buffer.from(body, "utf8");
    const current = await readFile(target).catch(() => undefined);
    if (current?.equals(bytes)) return false;
    const temporary = `${target}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    try {
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(temporary, bytes);
      await rename(temporary, target);
    } catch (cause) {
      await rm(temporary, { force: true });
      throw new AppError(
        "PUBLISH_WRITE",
        `publish: cannot write ${target}: ${(cause as Error).message}`,
        { cause },
      );
    }
    return true;
  }
}
