import { AppError } from "./errors.js";

/** A date found inside a longer line of text. */
export interface NewsDateMatch {
  date: Date;
  /** The matched text, as it appears in the line. */
  text: string;
  /** Offset of the match in the line. */
  index: number;
}

const MONTHS: Readonly<Record<string, number>> = {
  // Indonesian, with the abbreviations newsrooms actually print.
  januari: 1,
  februari: 2,
  pebruari: 2,
  peb: 2,
  maret: 3,
  mei: 5,
  juni: 6,
  juli: 7,
  agustus: 8,
  agus: 8,
  agu: 8,
  agt: 8,
  ags: 8,
  oktober: 10,
  okt: 10,
  nopember: 11,
  nop: 11,
  desember: 12,
  des: 12,
  // English.
  january: 1,
  jan: 1,
  february: 2,
  feb: 2,
  march: 3,
  mar: 3,
  april: 4,
  apr: 4,
  may: 5,
  june: 6,
  jun: 6,
  july: 7,
  jul: 7,
  august: 8,
  aug: 8,
  september: 9,
  sept: 9,
  sep: 9,
  october: 10,
  oct: 10,
  november: 11,
  nov: 11,
  december: 12,
  dec: 12,
};

const WEEKDAYS: ReadonlySet<string> = new Set([
  "senin",
  "selasa",
  "rabu",
  "kamis",
  "jumat",
  "jum'at",
  "sabtu",
  "minggu",
  "ahad",
  "sen",
  "sel",
  "rab",
  "kam",
  "jum",
  "sab",
  "min",
  "monday",
  "tuesday",
  "wednesday",
  "thursday",
  "friday",
  "saturday",
  "sunday",
  "mon",
  "tue",
  "tues",
  "wed",
  "thu",
  "thur",
  "thurs",
  "fri",
  "sat",
  "sun",
]);

/** Zone abbreviations, in minutes east of UTC. The US ones are the RFC 822 set. */
const ZONES: Readonly<Record<string, number>> = {
  wib: 7 * 60,
  wita: 8 * 60,
  wit: 9 * 60,
  gmt: 0,
  utc: 0,
  ut: 0,
  z: 0,
  est: -5 * 60,
  edt: -4 * 60,
  cst: -6 * 60,
  cdt: -5 * 60,
  mst: -7 * 60,
  mdt: -6 * 60,
  pst: -8 * 60,
  pdt: -7 * 60,
};

/** Words that may surround a date on a page without changing its meaning. */
const FILLERS: ReadonlySet<string> = new Set([
  "pukul",
  "pkl",
  "jam",
  "hari",
  "tanggal",
  "tgl",
  "terbit",
  "diterbitkan",
  "dipublikasikan",
  "diperbarui",
  "diperbaharui",
  "published",
  "posted",
  "updated",
  "last",
  "date",
  "on",
  "at",
  "of",
]);

const SEPARATORS: ReadonlySet<string> = new Set([",", "|", "-", "/", ".", ":", "(", ")", "·", "•"]);

/** A zone after a time: "z", "+07:00", "+0700", "GMT+7", or an abbreviation from ZONES. */
const ZONE_ALTERNATIVES =
  "(z|[+-]\\d{2}(?::?\\d{2})?|(?:gmt|utc|ut)\\s*[+-]\\s*\\d{1,2}(?::?\\d{2})?|wita|wib|wit|gmt|utc|ut|est|edt|cst|cdt|mst|mdt|pst|pdt)";
const ZONE_PATTERN = `${ZONE_ALTERNATIVES}(?![a-z\\d])`;

const ISO_RE = new RegExp(
  `^(\\d{4})-(\\d{2})-(\\d{2})(?:(?:t|\\s+)(\\d{2}):(\\d{2})(?::(\\d{2})(?:[.,](\\d+))?)?)?\\s*${ZONE_ALTERNATIVES}?$`,
);
const DAY_MONTH_YEAR_RE = /(?<![\d.:/-])(\d{1,2})([./-])(\d{1,2})\2(\d{4})(?![\d:]|[./-]\d)/;
const YEAR_MONTH_DAY_RE = /(?<![\d.:/-])(\d{4})([./-])(\d{1,2})\2(\d{1,2})(?![\d:]|[./-]\d)/;
const TIME_RE = new RegExp(
  `(?<![\\d.:/])(\\d{1,2})[:.](\\d{2})(?:[:.](\\d{2})(?:[.,](\\d+))?)?(?![\\d:]|\\.\\d)(?:\\s*([ap])\\.?\\s?m(?![a-z])\\.?)?(?:\\s*\\(?${ZONE_PATTERN}\\)?)?`,
);
const HOUR_ONLY_RE = new RegExp(
  `(?<![\\d.:/])(\\d{1,2})\\s*([ap])\\.?\\s?m(?![a-z])\\.?(?:\\s*\\(?${ZONE_PATTERN}\\)?)?`,
);
const TOKEN_RE = /[a-z']+\.?|\d+(?:st|nd|rd|th)?|\S/g;

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

interface Fields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  /** Minutes east of UTC, when the text names a zone. */
  offset?: number;
}

/**
 * Parses a date as printed by news pages, feeds and front matter, or returns undefined.
 * A time without a zone is local time in `timezone`; a date without a time is local midnight.
 * @example parseNewsDate("Sabtu, Mei 4, 2024", "Asia/Jakarta") // 2024-05-03T17:00:00.000Z
 */
export function parseNewsDate(text: string, timezone: string): Date | undefined {
  // Validate the zone first, so a bad configuration fails loudly even on dates with offsets.
  formatterFor(timezone);
  const normalized = normalize(text);
  if (normalized === "") return undefined;
  const fields = parseIso(normalized) ?? parseLoose(normalized);
  if (!fields || !isValid(fields)) return undefined;
  return toDate(fields, timezone);
}

/**
 * Finds the longest date inside a line of text ("Oleh Admin - Sabtu, 4 Mei 2024 | 10:15 WIB").
 * Windows of whole words are tried, so a date is only found where parseNewsDate accepts it.
 */
export function findNewsDate(line: string, timezone: string): NewsDateMatch | undefined {
  const words = [...line.matchAll(/\S+/g)].map((m) => ({
    start: m.index,
    end: m.index + m[0].length,
  }));
  const maxWords = 12;
  let best: NewsDateMatch | undefined;
  let bestLength = 0;
  for (let start = 0; start < words.length; start++) {
    const first = words[start]!;
    for (let end = Math.min(words.length, start + maxWords); end > start; end--) {
      const last = words[end - 1]!;
      const candidate = line.slice(first.start, last.end);
      if (best && candidate.length <= bestLength) break;
      if (!/\d/.test(candidate)) break;
      const date = parseNewsDate(candidate, timezone);
      if (date) {
        // Windows may start or end on a separator ("- Sabtu, 4 Mei 2024 |"): report the date only.
        const leading = /^[\s|,·•:-]*/.exec(candidate)?.[0].length ?? 0;
        const text = candidate.slice(leading).replace(/[\s|,·•:-]+$/, "");
        best = { date, text, index: first.start + leading };
        bestLength = candidate.length;
        break;
      }
    }
  }
  return best;
}

/** Tells whether an IANA time zone name is known to this runtime. */
export function isValidTimeZone(timezone: string): boolean {
  try {
    formatterFor(timezone);
    return true;
  } catch {
    return false;
  }
}

/**
 * Converts a wall-clock time in an IANA zone to an instant. A time skipped by a DST change
 * moves forward by the gap; a repeated time takes its first occurrence (like Temporal's
 * "compatible" disambiguation).
 */
export function zonedTimeToDate(
  local: {
    year: number;
    month: number;
    day: number;
    hour?: number;
    minute?: number;
    second?: number;
    millisecond?: number;
  },
  timezone: string,
): Date {
  const wall = utcMs(
    local.year,
    local.month,
    local.day,
    local.hour ?? 0,
    local.minute ?? 0,
    local.second ?? 0,
    local.millisecond ?? 0,
  );
  const before = zoneOffsetMs(wall - DAY_MS, timezone);
  const after = zoneOffsetMs(wall + DAY_MS, timezone);
  const candidates = [...new Set([before, after])]
    .map((offset) => wall - offset)
    .filter((instant) => zoneOffsetMs(instant, timezone) === wall - instant);
  if (candidates.length > 0) return new Date(Math.min(...candidates));
  return new Date(wall - before);
}

function normalize(text: string): string {
  return text
    .normalize("NFKC")
    .replace(/[\u2018\u2019\u02bc`´]/g, "'")
    .replace(/[\u2010-\u2015\u2212]/g, "-")
    .replace(/[\u200b-\u200d\ufeff]/g, "")
    .toLowerCase()
    .replace(/\s+/g, " ")
    .trim();
}

function parseIso(text: string): Fields | undefined {
  const m = ISO_RE.exec(text);
  if (!m) return undefined;
  const offset = m[8] === undefined ? undefined : parseZone(m[8]);
  if (m[8] !== undefined && offset === undefined) return undefined;
  return {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4] ?? 0),
    minute: Number(m[5] ?? 0),
    second: Number(m[6] ?? 0),
    millisecond: m[7] ? Number(m[7].slice(0, 3).padEnd(3, "0")) : 0,
    offset,
  };
}

/**
 * Reads the free forms ("Sabtu, 4 Mei 2024 10:15 WIB", "May 4, 2024 3:05 pm",
 * "Kamis, 05/11/2015 10:08 WIB", RFC 822) by taking out the numeric date and the time,
 * then accounting for every remaining word. Any word it cannot place means "not a date".
 */
function parseLoose(text: string): Fields | undefined {
  let rest = text;
  let year: number | undefined;
  let month: number | undefined;
  let day: number | undefined;
  let hour = 0;
  let minute = 0;
  let second = 0;
  let millisecond = 0;
  let offset: number | undefined;
  let numericDate = false;

  // Numbered dates are day first (05/11/2015 is 5 November), as Indonesian pages print them.
  const dmy = DAY_MONTH_YEAR_RE.exec(rest);
  const ymd = dmy ? null : YEAR_MONTH_DAY_RE.exec(rest);
  if (dmy) {
    [day, month, year] = [Number(dmy[1]), Number(dmy[3]), Number(dmy[4])];
    rest = cut(rest, dmy.index, dmy[0].length);
    numericDate = true;
  } else if (ymd) {
    [year, month, day] = [Number(ymd[1]), Number(ymd[3]), Number(ymd[4])];
    rest = cut(rest, ymd.index, ymd[0].length);
    numericDate = true;
  }

  const time = TIME_RE.exec(rest);
  const hourOnly = time ? null : HOUR_ONLY_RE.exec(rest);
  if (time) {
    hour = Number(time[1]);
    minute = Number(time[2]);
    second = Number(time[3] ?? 0);
    millisecond = time[4] ? Number(time[4].slice(0, 3).padEnd(3, "0")) : 0;
    const converted = applyMeridiem(hour, time[5]);
    if (converted === undefined) return undefined;
    hour = converted;
    if (time[6] !== undefined) {
      offset = parseZone(time[6]);
      if (offset === undefined) return undefined;
    }
    rest = cut(rest, time.index, time[0].length);
  } else if (hourOnly) {
    const converted = applyMeridiem(Number(hourOnly[1]), hourOnly[2]);
    if (converted === undefined) return undefined;
    hour = converted;
    if (hourOnly[3] !== undefined) {
      offset = parseZone(hourOnly[3]);
      if (offset === undefined) return undefined;
    }
    rest = cut(rest, hourOnly.index, hourOnly[0].length);
  }

  const numbers: { value: number; digits: number; ordinal: boolean }[] = [];
  for (const [token] of rest.matchAll(TOKEN_RE)) {
    if (/^\d/.test(token)) {
      const digits = token.replace(/\D+$/, "");
      numbers.push({ value: Number(digits), digits: digits.length, ordinal: digits !== token });
      continue;
    }
    if (/^[a-z']/.test(token)) {
      const word = token.replace(/\.$/, "");
      const monthNumber = MONTHS[word];
      if (monthNumber !== undefined) {
        if (month !== undefined) return undefined;
        month = monthNumber;
      } else if (ZONES[word] !== undefined && word !== "z") {
        if (offset !== undefined && offset !== ZONES[word]) return undefined;
        offset = ZONES[word];
      } else if (!WEEKDAYS.has(word) && !FILLERS.has(word)) {
        return undefined;
      }
      continue;
    }
    if (!SEPARATORS.has(token)) return undefined;
  }

  if (numericDate) {
    // "05/11/2015" already gave the whole date: a month name or more numbers would contradict it.
    if (numbers.length > 0) return undefined;
  } else {
    if (month === undefined || numbers.length !== 2) return undefined;
    const yearToken = numbers.find((n) => n.digits === 4 && !n.ordinal);
    const dayToken = numbers.find((n) => n.digits <= 2);
    if (!yearToken || !dayToken) return undefined;
    year = yearToken.value;
    day = dayToken.value;
  }
  if (year === undefined || month === undefined || day === undefined) return undefined;
  return { year, month, day, hour, minute, second, millisecond, offset };
}

function cut(text: string, index: number, length: number): string {
  return `${text.slice(0, index)} ${text.slice(index + length)}`;
}

function applyMeridiem(hour: number, meridiem: string | undefined): number | undefined {
  if (meridiem === undefined) return hour;
  if (hour < 1 || hour > 12) return undefined;
  if (meridiem === "a") return hour === 12 ? 0 : hour;
  return hour === 12 ? 12 : hour + 12;
}

/** Minutes east of UTC for a zone name or numeric offset ("wib", "+0700", "gmt+7"). */
function parseZone(zone: string): number | undefined {
  const compact = zone.replace(/\s+/g, "");
  const named = ZONES[compact];
  if (named !== undefined) return named;
  const m = /^(?:gmt|utc|ut)?([+-])(\d{1,2})(?::?(\d{2}))?$/.exec(compact);
  if (!m) return undefined;
  const hours = Number(m[2]);
  const minutes = Number(m[3] ?? 0);
  if (hours > 14 || minutes > 59) return undefined;
  return (m[1] === "-" ? -1 : 1) * (hours * 60 + minutes);
}

function isValid(f: Fields): boolean {
  if (f.month < 1 || f.month > 12 || f.day < 1) return false;
  if (f.day > daysInMonth(f.year, f.month)) return false;
  return f.hour <= 23 && f.minute <= 59 && f.second <= 59;
}

function daysInMonth(year: number, month: number): number {
  return new Date(utcMs(year, month + 1, 0, 0, 0, 0, 0)).getUTCDate();
}

function toDate(f: Fields, timezone: string): Date {
  if (f.offset !== undefined) {
    const wall = utcMs(f.year, f.month, f.day, f.hour, f.minute, f.second, f.millisecond);
    return new Date(wall - f.offset * MINUTE_MS);
  }
  return zonedTimeToDate(f, timezone);
}

/** Date.UTC without its mapping of years 0-99 to 1900-1999. */
function utcMs(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  millisecond: number,
): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millisecond);
  return date.getTime();
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timezone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timezone);
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat("en-US", {
        timeZone: timezone,
        hourCycle: "h23",
        era: "short",
        year: "numeric",
        month: "numeric",
        day: "numeric",
        hour: "numeric",
        minute: "numeric",
        second: "numeric",
      });
    } catch (error) {
      throw new AppError("CONFIG_INVALID", `dates: unknown time zone "${timezone}"`, {
        cause: error,
      });
    }
    formatters.set(timezone, formatter);
  }
  return formatter;
}

/** How far the zone's wall clock is ahead of UTC at the given instant, in milliseconds. */
function zoneOffsetMs(instant: number, timezone: string): number {
  const parts: Record<string, string> = {};
  for (const part of formatterFor(timezone).formatToParts(new Date(instant))) {
    parts[part.type] = part.value;
  }
  const year = parts.era === "BC" ? 1 - Number(parts.year) : Number(parts.year);
  const wall = utcMs(
    year,
    Number(parts.month),
    Number(parts.day),
    Number(parts.hour),
    Number(parts.minute),
    Number(parts.second),
    0,
  );
  const wholeSeconds = instant - (((instant % 1000) + 1000) % 1000);
  return wall - wholeSeconds;
}
