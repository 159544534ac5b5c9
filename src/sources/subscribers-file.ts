import { readFile } from "node:fs/promises";
import { parse } from "csv-parse/sync";
import type { NewSubscriber } from "../domain/subscriber.js";
import { AppError } from "../shared/errors.js";

/** One line of a subscribers file that could not be used. */
export interface BadLine {
  line: number;
  message: string;
}

/**
 * Reads a CSV file of subscribers with a header row naming at least `email` (and optionally
 * `name`, `language`, `timezone`). Lines without a usable address are reported, not fatal.
 */
export async function readSubscribersFile(
  file: string,
): Promise<{ subscribers: NewSubscriber[]; bad: BadLine[] }> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    throw new AppError("SOURCE_READ", `subscribers: cannot read ${file}`, { cause });
  }
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse(text, {
      columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
      skip_empty_lines: true,
      trim: true,
      bom: true,
      info: true,
      relax_column_count: true,
    });
  } catch (cause) {
    throw new AppError(
      "SOURCE_READ",
      `subscribers: ${file}: not valid CSV: ${(cause as Error).message}`,
      { cause },
    );
  }
  const subscribers: NewSubscriber[] = [];
  const bad: BadLine[] = [];
  for (const { record, info } of records) {
    const email = record.email ?? "";
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
      bad.push({ line: info.lines, message: `not an e-mail address: "${email}"` });
      continue;
    }
    const subscriber: NewSubscriber = { email };
    if (record.name) subscriber.name = record.name;
    if (record.language) subscriber.language = record.language;
    if (record.timezone) subscriber.timezone = record.timezone;
    subscribers.push(subscriber);
  }
  return { subscribers, bad };
}
