import { DateTime } from "luxon";
import type { Weekday } from "../config/schema.js";
import type { Frequency } from "../domain/subscriber.js";

/** When digests are due: the local hour, and the weekday of weekly ones. */
export interface SlotSchedule {
  sendHour: number;
  weeklyDay: Weekday;
}

const weekdayNumbers: Record<Weekday, number> = {
  monday: 1,
  tuesday: 2,
  wednesday: 3,
  thursday: 4,
  friday: 5,
  saturday: 6,
  sunday: 7,
};

/** Whether an IANA time zone name is known to this runtime. */
export function isValidTimezone(timezone: string): boolean {
  return timezone !== "" && DateTime.local().setZone(timezone).isValid;
}

/**
 * The latest digest slot at or before `now`: send_hour local time in the zone, and for weekly
 * digests on weekly_day. Null when the time zone is unknown.
 * @example
 * // 23:00 UTC is 06:00 the next day in Asia/Jayapura (UTC+9): that slot is due.
 * latestSlot("daily", "Asia/Jayapura", new Date("2024-05-04T23:00:00Z"), { sendHour: 6, weeklyDay: "monday" });
 * // → 2024-05-04T21:00:00.000Z
 */
export function latestSlot(
  frequency: Frequency,
  timezone: string,
  now: Date,
  schedule: SlotSchedule,
): Date | null {
  const local = DateTime.fromJSDate(now, { zone: timezone });
  if (!local.isValid) return null;
  // Walk back day by day (at most a week) from today's send hour; set() per day keeps the
  // local hour right across daylight-saving changes.
  for (let back = 0; back <= 7; back += 1) {
    const day = local.startOf("day").minus({ days: back });
    if (frequency === "weekly" && day.weekday !== weekdayNumbers[schedule.weeklyDay]) continue;
    const slot = day.set({ hour: schedule.sendHour, minute: 0, second: 0, millisecond: 0 });
    if (slot.toMillis() <= now.getTime()) return slot.toJSDate();
  }
  return null;
}

/** The start of the period a digest at `slot` covers for a first-time reader: one period before. */
export function periodBefore(frequency: Frequency, timezone: string, slot: Date): Date {
  const local = DateTime.fromJSDate(slot, { zone: timezone });
  const zoned = local.isValid ? local : DateTime.fromJSDate(slot, { zone: "utc" });
  return zoned.minus(frequency === "weekly" ? { weeks: 1 } : { days: 1 }).toJSDate();
}
