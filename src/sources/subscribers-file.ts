import { createReadStream } from "node:fs";
import { CsvError, parse } from "csv-parse";
import type { Subscriber } from "../domain/subscriber.js";
import { AppError } from "../shared/errors.js";

/** One line of a subscribers file that could not be used. */
export interface BadLine {
  line: number;
  message: string;
}

/** One record of a subscribers file: its fields by lower-case column name, and its first line. */
export interface SubscriberRecord {
  line: number;
  fields: Record<string, string>;
}

/** What reading a subscribers file yields: records in file order, or a line that is not CSV. */
export type SubscriberFileEntry =
  | ({ kind: "record" } & SubscriberRecord)
  | ({ kind: "bad" } & BadLine);

/** The columns of an exported subscribers file, in order; an import reads the same names. */
export const subscriberCsvColumns = [
  "email",
  "name",
  "language",
  "timezone",
  "frequency",
  "categories",
  "status",
  "created",
  "confirmed",
] as const;

/** Separates the category slugs inside the `categories` column (slugs never contain it). */
export const categorySeparator = ";";

/**
 * Streams the records of a CSV file with a header row (column names are trimmed and
 * lower-cased; a UTF-8 BOM is skipped), one at a time, so a file of any size reads in constant
 * memory. A CSV syntax error ends the file: it is yielded as a bad line, after every record
 * before it. Throws AppError SOURCE_READ when the file cannot be read, and IMPORT_HEADER when
 * the header has no `email` column.
 */
export async function* readSubscriberRecords(file: string): AsyncGenerator<SubscriberFileEntry> {
  let columns: string[] | undefined;
  // Records csv-parse has handed over but the loop below has not read yet. When the parser
  // fails it discards its buffer, and these would be lost although they are valid.
  const pending: SubscriberRecord[] = [];
  // csv-parse 7 counts a CRLF inside a quoted field as two lines; this undoes that.
  let extraLines = 0;
  let lastLine = 1;
  const parser = parse<SubscriberRecord, Record<string, string>>({
    bom: true,
    trim: true,
    skip_empty_lines: true,
    relax_column_count: true,
    columns: (header: string[]) => {
      columns = header.map((name) => name.trim().toLowerCase());
      if (!columns.includes("email")) {
        throw new AppError(
          "IMPORT_HEADER",
          `subscribers: ${file}: the header row has no "email" column (found: ${columns.join(", ")})`,
        );
      }
      return columns;
    },
    on_record: (fields, context) => {
      let breaks = 0;
      for (const value of Object.values(fields)) {
        if (typeof value !== "string") continue;
        for (const match of value.matchAll(/\r\n|\n|\r/g)) {
          breaks += 1;
          if (match[0] === "\r\n") extraLines += 1;
        }
      }
      lastLine = context.lines - extraLines;
      const record = { line: lastLine - breaks, fields };
      pending.push(record);
      return record;
    },
  });
  const input = createReadStream(file);
  input.on("error", (error) => parser.destroy(error));
  input.pipe(parser);
  try {
    for await (const record of parser as AsyncIterable<SubscriberRecord>) {
      pending.shift();
      yield { kind: "record", ...record };
    }
  } catch (error) {
    // The header check above throws an AppError, which csv-parse passes on as it is.
    if (error instanceof AppError) throw error;
    const cause = error instanceof CsvError ? error : undefined;
    if (!cause) {
      const message = error instanceof Error ? error.message : String(error);
      throw new AppError("SOURCE_READ", `subscribers: cannot read ${file}: ${message}`, {
        cause: error,
      });
    }
    for (const record of pending.splice(0)) yield { kind: "record", ...record };
    yield { kind: "bad", ...csvProblem(cause, lastLine, extraLines) };
  } finally {
    input.destroy();
  }
}

/** Describes a CSV syntax error as the bad line it was found on. */
function csvProblem(error: CsvError, lastRecordLine: number, extraLines: number): BadLine {
  const rest = "the lines after it were not read";
  if (error.code === "CSV_QUOTE_NOT_CLOSED") {
    // The parser only notices at the end of the file; the quote opened in the next record.
    return {
      line: lastRecordLine + 1,
      message: `not valid CSV: a quoted field opened on this line is never closed; ${rest}`,
    };
  }
  const line = Number((error as { lines?: unknown }).lines ?? lastRecordLine + 1) - extraLines;
  const reason = error.message.replace(/ at line \d+/, "");
  return { line, message: `not valid CSV: ${reason}; ${rest}` };
}

/** Quotes a CSV field when it holds a comma, a quote, a line break or surrounding spaces. */
function csvField(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** The header row of an exported subscribers file. */
export function subscriberCsvHeader(): string {
  return subscriberCsvColumns.join(",");
}

/**
 * One subscriber as a line of an exported file (without the line break), in the columns of
 * subscriberCsvColumns: categories joined by `;`, times in ISO 8601 UTC.
 */
export function subscriberCsvLine(subscriber: Subscriber): string {
  const values: Record<(typeof subscriberCsvColumns)[number], string> = {
    email: subscriber.email,
    name: subscriber.name ?? "",
    language: subscriber.language,
    timezone: subscriber.timezone,
    frequency: subscriber.frequency,
    categories: subscriber.categories.join(categorySeparator),
    status: subscriber.status,
    created: subscriber.created.toISOString(),
    confirmed: subscriber.confirmed?.toISOString() ?? "",
  };
  return subscriberCsvColumns.map((column) => csvField(values[column])).join(",");
}
