import { lstat, mkdir, readdir, readFile, rename } from "node:fs/promises";
import path from "node:path";
import { AppError, errorMessage } from "../shared/errors.js";
import { type AppliedBounce, type ApplyDeps, applyBounces } from "./apply.js";
import { type BounceReport, parseBounce } from "./parse.js";

/** What became of one file of the Maildir's new/ folder. */
export interface MaildirFileResult {
  /** The file's name in new/. */
  file: string;
  /**
   * report: read and applied, moved to cur/ with ":2,S"; not-report: an ordinary message,
   * moved with ":2,S"; broken: unreadable or not parsable, moved with ":2,F" (flagged for a
   * human); gone: another process took it first.
   */
  outcome: "report" | "not-report" | "broken" | "gone";
  applied: AppliedBounce[];
  /** Why a broken file could not be read. */
  error?: string;
  /** Where the file is now (cur/...), unless gone. */
  movedTo?: string;
}

/**
 * Maildir flags given to a processed file. S (seen) for what was handled; F (flagged) for what
 * a human should look at. Not T (trashed): mail programs and IMAP servers delete trashed
 * messages, and a broken report must not be lost.
 */
const seen = ":2,S";
const flagged = ":2,F";

/**
 * Reads every message in `<maildir>/new`, applies the bounce reports it holds and moves it to
 * `<maildir>/cur` with a flag (see MaildirFileResult). A file is moved only after its reports
 * are applied; if warta stops in between, the file is read again next time and applying it
 * again changes nothing (see BounceStore). Two processes reading one Maildir are safe for the
 * same reason; the one whose rename fails reports the file as "gone".
 */
export async function processMaildir(
  maildir: string,
  deps: ApplyDeps,
): Promise<MaildirFileResult[]> {
  const log = deps.logger.child({ component: "bounces", maildir });
  const incoming = path.join(maildir, "new");
  const done = path.join(maildir, "cur");
  let names: string[];
  try {
    const entries = await readdir(incoming, { withFileTypes: true });
    // Dot files are not messages (Maildir++ keeps its own files there).
    names = entries
      .filter((entry) => (entry.isFile() || entry.isSymbolicLink()) && !entry.name.startsWith("."))
      .map((entry) => entry.name)
      .sort();
  } catch (cause) {
    throw new AppError(
      "SOURCE_READ",
      `bounces: cannot read the Maildir ${incoming}: ${errorMessage(cause)}`,
      {
        cause,
      },
    );
  }
  await mkdir(done, { recursive: true });
  /** Moves a handled file to cur/ with a flag; "gone" if another process moved it first. */
  async function finish(result: MaildirFileResult, flag: string): Promise<MaildirFileResult> {
    // A name in new/ carries no info part; one that does keeps only its unique part.
    const to = path.join(done, `${result.file.replace(/:2,.*$/, "")}${flag}`);
    try {
      await rename(path.join(incoming, result.file), to);
      return { ...result, movedTo: to };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      return { ...result, outcome: "gone" };
    }
  }

  const results: MaildirFileResult[] = [];
  for (const file of names) {
    let reports: BounceReport[];
    try {
      reports = await parseBounce(await readFile(path.join(incoming, file)));
    } catch (error) {
      if (await vanished(path.join(incoming, file))) {
        results.push({ file, outcome: "gone", applied: [] });
        continue;
      }
      const message = errorMessage(error);
      log.error({ file, err: message }, "bounces: cannot read a message, flagged in cur/");
      results.push(await finish({ file, outcome: "broken", applied: [], error: message }, flagged));
      continue;
    }
    if (reports.length === 0) {
      log.info({ file }, "bounces: not a delivery report, moved to cur/");
      results.push(await finish({ file, outcome: "not-report", applied: [] }, seen));
      continue;
    }
    // A store error stops the run here, leaving the file in new/ for the next one.
    const applied = await applyBounces(reports, deps);
    results.push(await finish({ file, outcome: "report", applied }, seen));
  }
  return results;
}

/** Whether a file is no longer there (another process moved it), as opposed to unreadable. */
async function vanished(file: string): Promise<boolean> {
  try {
    await lstat(file);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ENOENT";
  }
}
