import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { PersonalizedTemplate, type RecipientValues } from "../compose/index.js";
import type { MailConfig, NewsletterConfig, SiteConfig } from "../config/index.js";
import { RawEditionMessage, smtpReplyCode } from "../deliver/index.js";
import type { Delivery, DeliveryKey, Edition, PausedEdition } from "../domain/digest.js";
import type { EditionRepository, Mailer, OutgoingMessage } from "../domain/ports.js";
import { errorMessage, isAppError } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";
import { slugify } from "../shared/slug.js";
import { editionUrl, subscriberLinks } from "../subscriptions/links.js";
import type { TokenSigner } from "../subscriptions/tokens.js";
import { greetingFor } from "./segments.js";

/** Where a send run stands, reported after each result. */
export interface SendProgress {
  sent: number;
  deferred: number;
  failed: number;
  bounced: number;
  /** Messages due and not yet done (an estimate, refreshed with each claimed batch). */
  remaining: number;
}

/** What one send run did. */
export interface SendSummary {
  sent: number;
  /** Temporary failures (4xx, dropped connection, timeout, server down): retried later. */
  deferred: number;
  /** Given up: still failing temporarily mail.retry_for_hours after queueing. */
  failed: number;
  /** Refused for good (5xx): the subscriber's hard bounce count went up. */
  bounced: number;
  /** Deliveries not finished after the run (queued, deferred, or claimed by another sender). */
  left: number;
  transport: string;
  /** Where the messages went (outbox files or the SMTP servers). */
  locations: string[];
  errors: string[];
  /** Editions paused now (by this run or before), with why. */
  paused: PausedEdition[];
  /** Editions this run resumed (`send --resume`). */
  resumed: number[];
  /** Set when the ramp-up limit stopped the run: the hourly limit and what this run sent under it. */
  rampUp?: { perHour: number; day: number; more: number };
  /** True when the stop signal ended the run early. */
  stopped: boolean;
}

/** What sending needs to know besides the deliveries. */
export interface SendSettings {
  site: SiteConfig;
  mail: Pick<
    MailConfig,
    | "from"
    | "reply_to"
    | "batch_size"
    | "claim_seconds"
    | "retry_base_seconds"
    | "retry_max_seconds"
    | "retry_for_hours"
    | "bounce_limit"
    | "max_consecutive_errors"
    | "ramp_up"
  >;
  newsletter: Pick<NewsletterConfig, "unsubscribe_mailto">;
  /** Signs the preferences and unsubscribe links of each message. */
  tokens: TokenSigner;
}

/** How one run behaves, besides the settings. */
export interface SendOptions {
  /** When aborted (SIGTERM), the run stops claiming, lets messages in flight finish, puts the rest back and returns. */
  stop?: AbortSignal;
  /** Called after each result, for a progress display. */
  onProgress?: (progress: SendProgress) => void;
  /** Resume this paused edition, or every paused one ("all"), before sending. */
  resume?: number | "all";
  /** The claim holder id of this sender; default: host, pid and a random part. */
  holder?: string;
  /** Random numbers in [0, 1) for the retry jitter. */
  random?: () => number;
  /** Overrides mail.batch_size. */
  batchSize?: number;
}

/** An edition compiled for personalisation: split at its placeholders once, filled per message. */
interface CompiledEdition {
  edition: Edition;
  subject: PersonalizedTemplate;
  html: PersonalizedTemplate;
  text: PersonalizedTemplate;
  /** Its MIME: the bodies quoted-printable encoded once, headers made per message. */
  raw: RawEditionMessage;
  /** The header fields every message of the edition carries (see editionHeaders). */
  headers: Record<string, string>;
}

/** Compiled editions kept at once; deliveries come in edition order, so few are ever needed. */
const EDITION_CACHE = 16;
/** How often the count of due messages behind the progress display is refreshed. */
const COUNT_EVERY_MS = 5_000;
/** Distinct errors kept in a summary. */
const MAX_ERRORS = 100;

/**
 * Sends what is due in the delivery log, recording each result as it happens. Rows are claimed
 * in batches (one atomic UPDATE, so several processes can send at once) and fed to the mailer
 * as its connections free up, at most `mailer.concurrency` in flight. Each message is the
 * edition filled with its recipient's greeting and signed links, under its fixed Message-ID.
 *
 * - accepted: sent; the subscriber's hard bounce count starts over;
 * - 5xx: bounced, one more hard bounce (the subscriber is `bounced` at mail.bounce_limit);
 * - 4xx, dropped connection, timeout, server down: deferred, due again after an exponential
 *   back-off with jitter, until mail.retry_for_hours after queueing, then failed;
 * - mail.max_consecutive_errors transport errors in a row pause the editions being sent.
 *
 * A crash loses nothing: claimed rows become due again when their claim expires, and only the
 * messages in flight at that moment can go out twice (with the same Message-ID).
 */
export async function sendQueued(
  deps: SendSettings &
    SendOptions & {
      editions: EditionRepository;
      mailer: Mailer;
      now: () => Date;
      logger: Logger;
    },
): Promise<SendSummary> {
  const { editions, mailer, mail } = deps;
  const log = deps.logger.child({ component: "send", transport: mailer.kind });
  const holder = deps.holder ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const random = deps.random ?? Math.random;
  const batchSize = Math.max(1, deps.batchSize ?? mail.batch_size);
  const concurrency = Math.max(1, Math.floor(mailer.concurrency ?? 1));
  const claimMs = mail.claim_seconds * 1000;
  const summary: SendSummary = {
    sent: 0,
    deferred: 0,
    failed: 0,
    bounced: 0,
    left: 0,
    transport: mailer.kind,
    locations: [],
    errors: [],
    paused: [],
    resumed: [],
    stopped: false,
  };
  const addError = (text: string) => {
    if (summary.errors.length < MAX_ERRORS && !summary.errors.includes(text)) {
      summary.errors.push(text);
    }
  };

  if (deps.resume !== undefined) {
    summary.resumed = await editions.resumeEditions(
      deps.resume === "all" ? undefined : deps.resume,
      deps.now(),
    );
    if (summary.resumed.length > 0) log.info({ editions: summary.resumed }, "editions resumed");
  }

  const compiled = new Map<number, Promise<CompiledEdition>>();
  const compiledEdition = (editionId: number): Promise<CompiledEdition> => {
    let entry = compiled.get(editionId);
    if (!entry) {
      if (compiled.size >= EDITION_CACHE) compiled.clear();
      entry = editions.byId(editionId).then((edition) => {
        if (!edition) throw new Error(`send: edition ${editionId} is missing`);
        return compileEdition(edition, deps);
      });
      compiled.set(editionId, entry);
    }
    return entry;
  };

  /** Claimed and not started yet, in queue order. */
  const pending: Delivery[] = [];
  const inFlight = new Map<Promise<void>, Delivery>();
  let remaining = 0;
  let nextCount = 0;
  let consecutiveErrors = 0;
  /** Editions whose messages met transport errors in the current streak. */
  const streak = new Set<number>();
  let pausedHere = false;
  let fatal: unknown;

  const progress = () => {
    remaining = Math.max(0, remaining - 1);
    deps.onProgress?.({
      sent: summary.sent,
      deferred: summary.deferred,
      failed: summary.failed,
      bounced: summary.bounced,
      remaining,
    });
  };

  const pause = async (lastError: string) => {
    pausedHere = true;
    const ids = new Set(streak);
    for (const delivery of pending) ids.add(delivery.editionId);
    for (const delivery of inFlight.values()) ids.add(delivery.editionId);
    const reason = `send: ${consecutiveErrors} transport errors in a row (last: ${lastError})`;
    await editions.pauseEditions([...ids], deps.now(), reason);
    log.error({ editions: [...ids], err: lastError }, "too many transport errors: editions paused");
  };

  const onFailure = async (delivery: Delivery, error: unknown) => {
    const now = deps.now();
    const text = errorMessage(error);
    const smtpCode = smtpReplyCode(error);
    const outcome =
      smtpCode === undefined ? { at: now, error: text } : { at: now, error: text, smtpCode };
    const ids = { editionId: delivery.editionId, subscriberId: delivery.subscriberId };
    if (isAppError(error, "SMTP_REJECTED")) {
      const bounced = await editions.recordBounced(ids, outcome, mail.bounce_limit);
      summary.bounced += 1;
      // The server answered: the transport works.
      consecutiveErrors = 0;
      streak.clear();
      addError(`${delivery.email}: ${text}`);
      log.warn(
        { editionId: delivery.editionId, subscriberId: delivery.subscriberId, err: text, bounced },
        "message refused",
      );
      return;
    }
    // A 4xx for one message says nothing about the transport; anything else does.
    const transportError = !isAppError(error, "SMTP_DEFERRED");
    const giveUpAt = delivery.queuedAt.getTime() + mail.retry_for_hours * 3_600_000;
    if (now.getTime() >= giveUpAt) {
      await editions.recordFailed(ids, {
        ...outcome,
        error: `gave up after ${delivery.attempts} attempt(s): ${text}`,
      });
      summary.failed += 1;
      addError(`${delivery.email}: gave up after ${delivery.attempts} attempt(s): ${text}`);
    } else {
      const delay = retryDelaySeconds(delivery.attempts, mail, random());
      await editions.recordDeferred(ids, outcome, new Date(now.getTime() + delay * 1000));
      summary.deferred += 1;
      addError(transportError ? text : `${delivery.email}: ${text}`);
    }
    if (transportError) {
      consecutiveErrors += 1;
      streak.add(delivery.editionId);
      if (consecutiveErrors >= mail.max_consecutive_errors && !pausedHere) await pause(text);
    }
  };

  const attempt = async (delivery: Delivery) => {
    const entry = await compiledEdition(delivery.editionId);
    const message = buildMessage(entry, delivery, deps, deps.now());
    let receipt: Awaited<ReturnType<Mailer["send"]>>;
    try {
      receipt = await mailer.send(message);
    } catch (error) {
      await onFailure(delivery, error);
      progress();
      return;
    }
    await editions.recordSent(delivery, deps.now(), receipt.response);
    summary.sent += 1;
    consecutiveErrors = 0;
    streak.clear();
    if (!summary.locations.includes(receipt.location) && summary.locations.length < 5) {
      summary.locations.push(receipt.location);
    }
    progress();
  };

  const start = (delivery: Delivery) => {
    const task: Promise<void> = attempt(delivery)
      .catch((error: unknown) => {
        // The store failed: stop sending; the row stays claimed and comes back after its claim.
        fatal ??= error;
      })
      .finally(() => inFlight.delete(task));
    inFlight.set(task, delivery);
  };

  const ramp = mail.ramp_up ? rampUpLimit(mail.ramp_up, deps.site.timezone, deps.now()) : null;

  /** Claims the next batch; false when nothing more is due (or the ramp-up limit is reached). */
  const claimBatch = async (): Promise<boolean> => {
    const now = deps.now();
    const until = new Date(now.getTime() + claimMs);
    const limit = ramp ? ramp.perHour : undefined;
    const claimed = await editions.claimDue(holder, batchSize, now, until, limit);
    pending.push(...claimed);
    if (claimed.length === 0 && ramp && (await editions.dueCount(now)) > 0) {
      summary.rampUp = { ...ramp, more: summary.sent };
      log.warn({ perHour: ramp.perHour, day: ramp.day }, "ramp-up limit reached");
    }
    // The estimate for the progress display: counting every due row costs as much as the queue
    // is long, so it is refreshed every few seconds, and counted down in between.
    if (claimed.length === 0 || now.getTime() >= nextCount) {
      remaining = (await editions.dueCount(now)) + pending.length + inFlight.size;
      nextCount = now.getTime() + COUNT_EVERY_MS;
    }
    return claimed.length > 0;
  };

  // Claims last claim_seconds: renew ours while this run lives, so a slow run keeps its rows.
  const renew = setInterval(
    () => {
      editions
        .extendClaims(holder, new Date(deps.now().getTime() + claimMs))
        .catch((error: unknown) => log.warn({ err: errorMessage(error) }, "cannot renew claims"));
    },
    Math.max(250, claimMs / 3),
  );
  renew.unref();
  try {
    let exhausted = false;
    for (;;) {
      if (deps.stop?.aborted) {
        summary.stopped = true;
        break;
      }
      if (pausedHere || fatal !== undefined) break;
      if (inFlight.size >= concurrency || (pending.length === 0 && exhausted)) {
        if (inFlight.size === 0) break;
        await Promise.race(inFlight.keys());
        continue;
      }
      const next = pending.shift();
      if (next) {
        start(next);
        continue;
      }
      exhausted = !(await claimBatch());
    }
    // Rows claimed but never started go back to the queue for whoever sends next.
    if (pending.length > 0) {
      const keys: DeliveryKey[] = pending.map((d) => ({
        editionId: d.editionId,
        subscriberId: d.subscriberId,
      }));
      pending.length = 0;
      await editions.releaseClaims(holder, keys, deps.now());
    }
    while (inFlight.size > 0) await Promise.race(inFlight.keys());
  } finally {
    clearInterval(renew);
  }
  if (fatal !== undefined) throw fatal;
  summary.paused = await editions.pausedEditions();
  summary.left = await editions.waitingCount();
  log.info(
    {
      sent: summary.sent,
      deferred: summary.deferred,
      failed: summary.failed,
      bounced: summary.bounced,
      left: summary.left,
      stopped: summary.stopped,
    },
    "send finished",
  );
  return summary;
}

/**
 * Seconds before the next attempt after `attempts` attempts: retry_base_seconds doubled each
 * time, capped at retry_max_seconds, then spread by ±20% so retries do not come in waves.
 */
export function retryDelaySeconds(
  attempts: number,
  mail: Pick<MailConfig, "retry_base_seconds" | "retry_max_seconds">,
  random: number,
): number {
  const exponent = Math.min(Math.max(attempts - 1, 0), 30);
  const capped = Math.min(mail.retry_base_seconds * 2 ** exponent, mail.retry_max_seconds);
  return capped * (0.8 + 0.4 * random);
}

/**
 * The ramp-up limit for `now`: day 1 is the start date in the site's time zone (days before it
 * count as day 1); after the last day of the list there is none.
 */
export function rampUpLimit(
  rampUp: NonNullable<MailConfig["ramp_up"]>,
  timezone: string,
  now: Date,
): { perHour: number; day: number } | null {
  const today = new Intl.DateTimeFormat("en-CA", {
    timeZone: timezone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(now);
  const days = Math.round((Date.parse(today) - Date.parse(rampUp.start)) / 86_400_000);
  const day = Math.max(1, days + 1);
  const perHour = rampUp.per_hour[day - 1];
  return perHour === undefined ? null : { perHour, day };
}

/** The header fields every message of the edition carries, after the identity fields. */
function editionHeaders(edition: Edition, site: SiteConfig): Record<string, string> {
  const host = new URL(site.base_url).hostname;
  return {
    "List-Id": `${site.title} <${slugify(site.title)}.${host}>`,
    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    "X-Warta-Edition": String(edition.id),
  };
}

/**
 * Splits an edition's subject, HTML and text at their placeholders, and encodes the MIME of its
 * messages once: the constant pieces of the bodies, the part headers, the constant header fields.
 */
function compileEdition(edition: Edition, settings: SendSettings): CompiledEdition {
  const subject = PersonalizedTemplate.compile(edition.subject, "text");
  const html = PersonalizedTemplate.compile(edition.html, "html");
  const text = PersonalizedTemplate.compile(edition.text, "text");
  const headers = editionHeaders(edition, settings.site);
  const raw = new RawEditionMessage({
    from: settings.mail.from,
    replyTo: settings.mail.reply_to || undefined,
    subject: subject.usedFields.length === 0 ? edition.subject : undefined,
    headers,
    html,
    text,
  });
  return { edition, subject, html, text, raw, headers };
}

/** One recipient's values: greeting in the edition's language, signed links, web version. */
function recipientValues(
  edition: Pick<Edition, "id" | "language">,
  delivery: Pick<Delivery, "subscriberId" | "email" | "name" | "language">,
  links: { preferences: string; unsubscribe: string },
  baseUrl: string,
): RecipientValues {
  return {
    name: delivery.name ?? "",
    // Editions made before segments existed have no language: the reader's own then.
    greeting: greetingFor(edition.language || delivery.language, delivery.name),
    unsubscribe_url: links.unsubscribe,
    preferences_url: links.preferences,
    web_url: editionUrl(baseUrl, edition.id),
  };
}

/**
 * The message of one delivery, with the headers every digest carries: the stable Message-ID,
 * List-Id, and List-Unsubscribe (https one-click, RFC 8058, and mailto when configured).
 */
function buildMessage(
  compiled: CompiledEdition,
  delivery: Delivery,
  settings: SendSettings,
  now: Date,
): OutgoingMessage {
  const { edition } = compiled;
  const { site } = settings;
  const links = subscriberLinks(
    site.base_url,
    settings.tokens,
    { id: delivery.subscriberId, email: delivery.email },
    now,
  );
  const values = recipientValues(edition, delivery, links, site.base_url);
  const unsubscribe = [`<${links.unsubscribe}>`];
  const mailto = settings.newsletter.unsubscribe_mailto;
  if (mailto) unsubscribe.push(`<mailto:${mailto}?subject=unsubscribe%20${links.token}>`);
  const to: OutgoingMessage["to"] = { address: delivery.email };
  if (delivery.name) to.name = delivery.name;
  const subject = compiled.subject.fill(values);
  const listUnsubscribe = unsubscribe.join(", ");
  const message: OutgoingMessage = {
    from: settings.mail.from,
    to,
    subject,
    // The filled bodies are only made when read (logs, tests): the raw message is what is sent.
    get html() {
      return compiled.html.fillBuffer(values);
    },
    get text() {
      return compiled.text.fillBuffer(values);
    },
    messageId: delivery.messageId,
    date: now,
    headers: {
      ...compiled.headers,
      "List-Unsubscribe": listUnsubscribe,
    },
    raw: compiled.raw.build({
      to,
      messageId: delivery.messageId,
      date: now,
      subject,
      headers: { "List-Unsubscribe": listUnsubscribe },
      values,
    }),
  };
  if (settings.mail.reply_to) message.replyTo = settings.mail.reply_to;
  return message;
}
