import { isKnownTimezone } from "../config/index.js";
import type { SubscriberRepository } from "../domain/ports.js";
import {
  type Frequency,
  frequencies,
  type NewSubscriber,
  type Subscriber,
  type SubscriberStatus,
} from "../domain/subscriber.js";
import { isAppError } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";
import { slugify } from "../shared/slug.js";
import {
  type BadLine,
  categorySeparator,
  readSubscriberRecords,
  subscriberCsvHeader,
  subscriberCsvLine,
} from "../sources/index.js";
import { normaliseAddress } from "../subscriptions/index.js";

/** What importing a subscribers file did. */
export interface ImportSummary {
  /** New subscribers stored. */
  added: number;
  /** Valid lines whose address the store already knew; left as they were. */
  known: number;
  /** Each unusable line as "subscribers: FILE:LINE: reason", in file order. */
  bad: string[];
  /** The same lines, by number. */
  badLines: BadLine[];
}

/** Statuses a file may give a subscriber; bounced and complained come only from deliveries. */
export const importStatuses: readonly SubscriberStatus[] = ["active", "pending", "unsubscribed"];

/** Languages digests are written in. */
const languages = ["id", "en"] as const;

/** Time zone names already checked, with their normal spelling (undefined when unknown). */
const knownZones = new Map<string, string | undefined>();

/** Valid lines handed to the store at once: one transaction each. */
const IMPORT_CHUNK = 1_000;

/**
 * The digest language of a language tag: "id" or "en" for those tags and any tag starting
 * with them ("en-GB", "id_ID"), undefined for any other.
 */
export function normaliseLanguage(tag: string): string | undefined {
  const match = /^([a-z]{2,3})(?:[-_][a-z0-9]{1,8})*$/i.exec(tag.trim());
  const primary = match?.[1]?.toLowerCase();
  return languages.find((language) => language === primary);
}

/**
 * The IANA name of a time zone the runtime knows, with the runtime's spelling when only the
 * case differs ("asia/jakarta" → "Asia/Jakarta"); undefined for an unknown zone.
 */
export function normaliseTimezone(zone: string): string | undefined {
  const name = zone.trim();
  // Building an Intl formatter takes tens of microseconds: too slow for every line of a file.
  if (knownZones.has(name)) return knownZones.get(name);
  let normalised: string | undefined;
  if (name && isKnownTimezone(name)) {
    const resolved = new Intl.DateTimeFormat("en", { timeZone: name }).resolvedOptions().timeZone;
    // Only the case is taken from the runtime: it may map an alias to another name.
    normalised = resolved.toLowerCase() === name.toLowerCase() ? resolved : name;
  }
  if (knownZones.size < 10_000) knownZones.set(name, normalised);
  return normalised;
}

/** A digest frequency ("daily" or "weekly", any case), undefined for anything else. */
export function parseFrequency(value: string): Frequency | undefined {
  const wanted = value.trim().toLowerCase();
  return frequencies.find((frequency) => frequency === wanted);
}

/**
 * Category slugs from a list of names or slugs split on `separator`, slugified and without
 * repeats; the error names an entry with no letter or digit.
 * @example parseCategories("Ekonomi; olahraga", ";") // { slugs: ["ekonomi", "olahraga"] }
 */
export function parseCategories(
  value: string,
  separator: string,
): { slugs: string[] } | { error: string } {
  const slugs: string[] = [];
  for (const entry of value.split(separator)) {
    const name = entry.trim();
    if (!name) continue;
    if (!/[\p{L}\p{N}]/u.test(name)) return { error: `not a category: "${name}"` };
    const slug = slugify(name);
    if (!slugs.includes(slug)) slugs.push(slug);
  }
  return { slugs };
}

/**
 * Turns the fields of one line of a subscribers file into a subscriber to add, or the reason
 * it cannot be used. Empty fields take the store's defaults; `status` those given.
 */
export function parseSubscriberFields(
  fields: Readonly<Record<string, string | undefined>>,
  defaultStatus: SubscriberStatus,
): NewSubscriber | { error: string } {
  const rawEmail = fields.email?.trim() ?? "";
  if (!rawEmail) return { error: "no e-mail address" };
  let email: string;
  try {
    email = normaliseAddress(rawEmail);
  } catch (error) {
    if (isAppError(error, "MAIL_ADDRESS")) return { error: error.message };
    throw error;
  }
  const subscriber: NewSubscriber = { email, status: defaultStatus, consentSource: "import" };
  const name = fields.name?.trim();
  if (name) subscriber.name = name;
  const language = fields.language?.trim();
  if (language) {
    const known = normaliseLanguage(language);
    if (!known) return { error: `unknown language "${language}" (use id or en)` };
    subscriber.language = known;
  }
  const timezone = fields.timezone?.trim();
  if (timezone) {
    const zone = normaliseTimezone(timezone);
    if (!zone) return { error: `unknown time zone "${timezone}"` };
    subscriber.timezone = zone;
  }
  const frequency = fields.frequency?.trim();
  if (frequency) {
    const known = parseFrequency(frequency);
    if (!known) return { error: `unknown frequency "${frequency}" (use daily or weekly)` };
    subscriber.frequency = known;
  }
  const categories = fields.categories?.trim();
  if (categories) {
    const parsed = parseCategories(categories, categorySeparator);
    if ("error" in parsed) return parsed;
    subscriber.categories = parsed.slugs;
  }
  const status = fields.status?.trim().toLowerCase();
  if (status) {
    const known = importStatuses.find((s) => s === status);
    if (!known) {
      return {
        error: `status "${fields.status?.trim()}" cannot be imported (use active, pending or unsubscribed)`,
      };
    }
    subscriber.status = known;
  }
  return subscriber;
}

/**
 * Imports a CSV file of subscribers (header row with at least `email`; optional name,
 * language, timezone, frequency, categories separated by `;`, status), streaming it and adding
 * valid lines in chunks. Known addresses are left as they are: an unsubscribed reader is never
 * re-subscribed. Every unusable line (bad value, repeat of an earlier line) is reported with
 * its number; the others are imported.
 */
export async function importSubscribers(deps: {
  file: string;
  subscribers: SubscriberRepository;
  now: () => Date;
  logger: Logger;
  /** Status of lines without one: active (the default) or pending. */
  status?: SubscriberStatus;
}): Promise<ImportSummary> {
  const now = deps.now();
  const defaultStatus = deps.status ?? "active";
  const seen = new Map<string, number>();
  const badLines: BadLine[] = [];
  let chunk: NewSubscriber[] = [];
  let valid = 0;
  let added = 0;
  const flush = async () => {
    if (chunk.length === 0) return;
    added += await deps.subscribers.addIfAbsent(chunk, now);
    chunk = [];
  };
  for await (const entry of readSubscriberRecords(deps.file)) {
    if (entry.kind === "bad") {
      badLines.push({ line: entry.line, message: entry.message });
      continue;
    }
    const parsed = parseSubscriberFields(entry.fields, defaultStatus);
    if ("error" in parsed) {
      badLines.push({ line: entry.line, message: parsed.error });
      continue;
    }
    const earlier = seen.get(parsed.email);
    if (earlier !== undefined) {
      badLines.push({
        line: entry.line,
        message: `duplicate of line ${earlier} ("${parsed.email}")`,
      });
      continue;
    }
    seen.set(parsed.email, entry.line);
    chunk.push(parsed);
    valid += 1;
    if (chunk.length >= IMPORT_CHUNK) await flush();
  }
  await flush();
  // Counts only: the bad lines name addresses, and the caller shows them to the operator.
  deps.logger.info(
    {
      component: "subscribers",
      file: deps.file,
      added,
      known: valid - added,
      bad: badLines.length,
    },
    "subscribers: import done",
  );
  return {
    added,
    known: valid - added,
    bad: badLines.map((b) => `subscribers: ${deps.file}:${b.line}: ${b.message}`),
    badLines,
  };
}

/**
 * Adds one subscriber unless the address is known. The address must already be normalised
 * (normaliseAddress).
 */
export function addSubscriber(
  deps: { subscribers: SubscriberRepository; now: () => Date },
  subscriber: NewSubscriber,
): Promise<{ subscriber: Subscriber; created: boolean }> {
  return deps.subscribers.create(subscriber, deps.now());
}

/**
 * Erases a person: their subscriber row and deliveries. The address is normalised when it is
 * valid, lower-cased otherwise (to reach rows stored before addresses were checked). False
 * when the address is unknown.
 */
export function removeSubscriber(
  deps: { subscribers: SubscriberRepository },
  address: string,
): Promise<boolean> {
  let email: string;
  try {
    email = normaliseAddress(address);
  } catch {
    email = address.trim().toLowerCase();
  }
  return deps.subscribers.erase(email);
}

/** Every subscriber (optionally of one status) in id order, read from the store page by page. */
export function listSubscribers(
  deps: { subscribers: SubscriberRepository },
  filter: { status?: SubscriberStatus } = {},
): AsyncIterable<Subscriber> {
  return deps.subscribers.all(filter);
}

/**
 * The subscribers as CSV lines (header first, no line breaks), streamed page by page: the
 * columns importSubscribers reads, plus created and confirmed times for the record.
 */
export async function* exportSubscribers(
  deps: { subscribers: SubscriberRepository },
  filter: { status?: SubscriberStatus } = {},
): AsyncGenerator<string> {
  yield subscriberCsvHeader();
  for await (const subscriber of deps.subscribers.all(filter)) {
    yield subscriberCsvLine(subscriber);
  }
}
