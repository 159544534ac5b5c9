import { zonedTimeToDate } from "../shared/dates.js";
import { AppError } from "../shared/errors.js";

const MONTH_KEY = /^(\d{4})-(\d{2})$/;

/** The instants a calendar month of a time zone spans: from `start` (included) to `end` (excluded). */
export function monthRange(month: string, timezone: string): { start: Date; end: Date } {
  const match = MONTH_KEY.exec(month);
  const year = Number(match?.[1]);
  const number = Number(match?.[2]);
  if (!match || number < 1 || number > 12) {
    throw new AppError("PUBLISH_RENDER", `publish: "${month}" is not a month such as 2024-03`);
  }
  const next = number === 12 ? { year: year + 1, month: 1 } : { year, month: number + 1 };
  return {
    start: zonedTimeToDate({ year, month: number, day: 1 }, timezone),
    end: zonedTimeToDate({ ...next, day: 1 }, timezone),
  };
}

/**
 * Tells the calendar month ("2024-03") of instants in a time zone. It remembers the span of the
 * last month found, so a run of instants in order costs one time-zone lookup per month.
 */
export class MonthFinder {
  readonly #format: Intl.DateTimeFormat;
  #start = Number.POSITIVE_INFINITY;
  #end = Number.NEGATIVE_INFINITY;
  #month = "";

  constructor(readonly timezone: string) {
    this.#format = new Intl.DateTimeFormat("en-US", {
      timeZone: timezone,
      year: "numeric",
      month: "numeric",
    });
  }

  /** The month of the instant, in the finder's time zone. */
  monthOf(date: Date): string {
    const time = date.getTime();
    if (time >= this.#start && time < this.#end) return this.#month;
    let year = 0;
    let month = 0;
    for (const part of this.#format.formatToParts(date)) {
      if (part.type === "year") year = Number(part.value);
      if (part.type === "month") month = Number(part.value);
    }
    const key = `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}`;
    const { start, end } = monthRange(key, this.timezone);
    this.#start = start.getTime();
    this.#end = end.getTime();
    this.#month = key;
    return key;
  }
}

/**
 * Names a month in a language, falling back to the key itself.
 * @example monthLabel("2024-03", "id") // "Maret 2024"
 */
export function monthLabel(month: string, language: string): string {
  const match = MONTH_KEY.exec(month);
  if (!match) return month;
  try {
    return new Intl.DateTimeFormat(language, {
      year: "numeric",
      month: "long",
      timeZone: "UTC",
    }).format(new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, 15)));
  } catch {
    return month;
  }
}
