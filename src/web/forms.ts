import { isKnownTimezone } from "../config/index.js";
import { type Frequency, frequencies } from "../domain/subscriber.js";
import { normaliseAddress } from "../subscriptions/address.js";
import { pageLanguageOf } from "./language.js";
import type { PageLanguage, PageStrings } from "./strings.js";

/** One problem with a submitted form: the field's name and a message naming it. */
export interface FormIssue {
  path: string;
  message: string;
}

/** The zones offered first in the time zone choice: WIB, WITA, WIT. */
export const indonesianZones = ["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"] as const;

/** The select value that means "the zone typed in the text field". */
export const otherZone = "other";

const maxName = 100;

/** What a subscriber may choose, on the subscription form and the preferences page. */
export interface PreferenceValues {
  name: string;
  language: PageLanguage;
  frequency: Frequency;
  /** Category slugs; empty means every category. */
  categories: string[];
  timezone: string;
}

/** The fields as typed, to show the form again after an error. */
export interface RawFields {
  email: string;
  name: string;
  language: string;
  frequency: string;
  categories: string[];
  timezone: string;
  timezoneOther: string;
}

/** A form read and checked: the values when valid, the issues otherwise. */
export type FormResult<T> =
  | { ok: true; values: T; raw: RawFields }
  | { ok: false; issues: FormIssue[]; raw: RawFields };

/** What checking needs: the categories offered and the language of the messages. */
export interface FormContext {
  strings: PageStrings;
  categories: ReadonlySet<string>;
}

/** Reads the raw fields of a subscription or preferences form. */
export function rawFields(form: URLSearchParams): RawFields {
  const text = (name: string) => (form.get(name) ?? "").slice(0, 1_000);
  return {
    email: text("email"),
    name: text("name"),
    language: text("language"),
    frequency: text("frequency"),
    categories: form.getAll("categories").slice(0, 200),
    timezone: text("timezone"),
    timezoneOther: text("timezone_other"),
  };
}

/** The canonical name of a known IANA zone ("asia/jakarta" → "Asia/Jakarta"), if known. */
export function canonicalZone(name: string): string | undefined {
  const trimmed = name.trim();
  if (trimmed === "" || !isKnownTimezone(trimmed)) return undefined;
  return new Intl.DateTimeFormat("en", { timeZone: trimmed }).resolvedOptions().timeZone;
}

/** Checks the preference fields; issues are in `context.strings`' language. */
export function checkPreferences(
  form: URLSearchParams,
  context: FormContext,
): FormResult<PreferenceValues> {
  const raw = rawFields(form);
  const { strings } = context;
  const issues: FormIssue[] = [];
  const name = raw.name.trim();
  if (name.length > maxName) issues.push({ path: "name", message: strings.nameTooLong });
  const language = pageLanguageOf(raw.language);
  if (!language) issues.push({ path: "language", message: strings.invalidLanguage });
  const frequency = frequencies.find((f) => f === raw.frequency);
  if (!frequency) issues.push({ path: "frequency", message: strings.invalidFrequency });
  // A category gone from the store since the form was shown is dropped, not refused.
  const categories = [...new Set(raw.categories)].filter((slug) => context.categories.has(slug));
  const timezone = canonicalZone(raw.timezone === otherZone ? raw.timezoneOther : raw.timezone);
  if (!timezone) {
    issues.push({
      path: raw.timezone === otherZone ? "timezone_other" : "timezone",
      message: strings.invalidTimezone,
    });
  }
  if (issues.length > 0 || !language || !frequency || !timezone) {
    return { ok: false, issues, raw };
  }
  return { ok: true, values: { name, language, frequency, categories, timezone }, raw };
}

/** Checks the subscription form: an address, then the preferences. */
export function checkSubscription(
  form: URLSearchParams,
  context: FormContext,
): FormResult<PreferenceValues & { email: string }> {
  const preferences = checkPreferences(form, context);
  let email: string | undefined;
  try {
    email = normaliseAddress(preferences.raw.email);
  } catch {
    email = undefined;
  }
  if (!email) {
    const issues = preferences.ok ? [] : preferences.issues;
    return {
      ok: false,
      issues: [{ path: "email", message: context.strings.invalidEmail }, ...issues],
      raw: preferences.raw,
    };
  }
  if (!preferences.ok) return preferences;
  return { ok: true, values: { ...preferences.values, email }, raw: preferences.raw };
}
