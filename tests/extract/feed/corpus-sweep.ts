/**
 * Worker-thread entry of the corpus test: parses each file and reports "start" before and
 * the outcome after, so that the main thread can stop a file that hangs.
 */
import { parentPort, workerData } from "node:worker_threads";
import { parseFeed } from "../../../src/extract/feed/index.js";
import { isAppError } from "../../../src/shared/errors.js";
import { readCorpusFile, readFeedparserHeader, requestFor } from "./corpus-files.js";

/** What happened to one corpus file. */
export type SweepOutcome =
  | { file: string; status: "parsed"; entries: number }
  | { file: string; status: "rejected"; code: string; message: string }
  | { file: string; status: "crashed"; error: string };

const { corpus, files } = workerData as { corpus: string; files: string[]; entry: string };

for (const file of files) {
  parentPort!.postMessage({ type: "start", file });
  let outcome: SweepOutcome;
  try {
    const bytes = readCorpusFile(corpus, file);
    const request = requestFor(file, readFeedparserHeader(bytes));
    const contentType = file.endsWith("rss-parser/input/encoding.rss")
      ? "text/xml; charset=latin1"
      : request.contentType;
    const feed = parseFeed(bytes, { url: request.url, contentType, timezone: "UTC" });
    outcome = { file, status: "parsed", entries: feed.entries.length };
  } catch (error) {
    outcome = isAppError(error)
      ? { file, status: "rejected", code: error.code, message: error.message }
      : {
          file,
          status: "crashed",
          error: error instanceof Error ? (error.stack ?? error.message) : String(error),
        };
  }
  parentPort!.postMessage({ type: "done", outcome });
}
