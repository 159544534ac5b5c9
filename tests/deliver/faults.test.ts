import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SmtpMailer, ThreadedSmtpMailer } from "../../src/deliver/index.js";
import type { Mailer } from "../../src/domain/ports.js";
import type { Subscriber } from "../../src/domain/subscriber.js";
import { type SendOptions, sendQueued } from "../../src/pipeline/send.js";
import { silentLogger } from "../../src/shared/logger.js";
import { closedPort, type SmtpSink, startSilentServer, startSmtpSink } from "../helpers/smtp.js";
import { type DigestHarness, openDigestHarness } from "../pipeline/digest-harness.js";

let h: DigestHarness | undefined;
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await h?.close();
  h = undefined;
});

async function harness(mail: Record<string, unknown> = {}): Promise<DigestHarness> {
  h = await openDigestHarness({ mail: { from: "Warta Uji <redaksi@news.example.org>", ...mail } });
  h.setNow("2024-05-04T03:00:00Z");
  return h;
}

async function sink(options: Parameters<typeof startSmtpSink>[0] = {}): Promise<SmtpSink> {
  const started = await startSmtpSink(options);
  cleanups.push(started.close);
  return started;
}

/** The mailers under test: Nodemailer in this thread, and in a thread of its own (as warta runs it). */
const mailers = { "in-process": SmtpMailer, "own thread": ThreadedSmtpMailer };
let Mailers: (typeof mailers)[keyof typeof mailers] = SmtpMailer;

/** A pooled mailer to loopback ports, with short timeouts and one connection per server. */
function mailer(ports: number[]): Mailer {
  const created = new Mailers(
    ports.map((port) => ({ host: "127.0.0.1", port, secure: false, tlsRejectUnauthorized: false })),
    {},
    { maxConnections: 1, connectionTimeoutMs: 500, greetingTimeoutMs: 500, socketTimeoutMs: 500 },
  );
  cleanups.push(() => created.close());
  return created;
}

/** Subscribes the addresses and queues one edition to them; returns the subscribers. */
async function queueEdition(harness: DigestHarness, emails: string[]): Promise<Subscriber[]> {
  const readers: Subscriber[] = [];
  for (const email of emails) {
    readers.push(
      (await harness.subscribers.byEmail(email)) ?? (await harness.subscribe({ email })),
    );
  }
  const edition = await harness.editions.create(
    {
      subject: "Warta Uji",
      html: "<p>Berita hari ini</p>",
      text: "Berita hari ini\n",
      periodStart: null,
      periodEnd: harness.now(),
      articleIds: [],
      recipients: readers.map((r) => ({
        subscriberId: r.id,
        messageId: `<t.${Math.random().toString(36).slice(2)}.s${r.id}@news.example.org>`,
      })),
    },
    harness.now(),
  );
  expect(edition.id).toBeGreaterThan(0);
  return readers;
}

function send(harness: DigestHarness, via: Mailer, options: SendOptions = {}) {
  return sendQueued({
    site: harness.config.site,
    mail: harness.config.mail,
    newsletter: harness.config.newsletter,
    tokens: harness.tokens,
    editions: harness.editions,
    mailer: via,
    now: harness.now,
    logger: silentLogger(),
    // No jitter: the back-off is exactly base × 2^(attempt-1).
    random: () => 0.5,
    ...options,
  });
}

function rows(harness: DigestHarness) {
  return harness.db
    .selectFrom("deliveries")
    .selectAll()
    .orderBy("edition_id")
    .orderBy("subscriber_id")
    .execute();
}

function later(harness: DigestHarness, seconds: number) {
  harness.setNow(new Date(harness.now().getTime() + seconds * 1000).toISOString());
}

describe.each(Object.entries(mailers))("SMTP faults (Nodemailer %s)", (_, kind) => {
  beforeEach(() => {
    Mailers = kind;
  });

  it("defers a 4xx with exponential back-off, waits for it, then delivers", async () => {
    const hh = await harness({ retry_base_seconds: 60, retry_max_seconds: 3600 });
    const server = await sink({
      fault: ({ stage, attempt }) =>
        stage === "rcpt" && attempt <= 2 ? { reply: 451 } : undefined,
    });
    const via = mailer([server.port]);
    await queueEdition(hh, ["ani@example.org"]);

    const first = await send(hh, via);
    expect(first).toMatchObject({ sent: 0, deferred: 1, left: 1 });
    let [row] = await rows(hh);
    expect(row).toMatchObject({ status: "deferred", attempts: 1, smtp_code: 451 });
    expect(row!.next_attempt_at).toBe("2024-05-04T03:01:00.000Z");

    // Not due before its time.
    later(hh, 30);
    expect(await send(hh, via)).toMatchObject({ sent: 0, deferred: 0 });
    later(hh, 31);
    expect(await send(hh, via)).toMatchObject({ sent: 0, deferred: 1 });
    [row] = await rows(hh);
    // The second delay doubles: 120 s after the second attempt.
    expect(row).toMatchObject({ status: "deferred", attempts: 2 });
    expect(row!.next_attempt_at).toBe("2024-05-04T03:03:01.000Z");

    later(hh, 121);
    expect(await send(hh, via)).toMatchObject({ sent: 1, deferred: 0, left: 0 });
    [row] = await rows(hh);
    expect(row).toMatchObject({ status: "sent", attempts: 3, smtp_code: 250, last_error: null });
    expect(row!.sent_at).toBe(hh.now().toISOString());
    expect(server.messages).toHaveLength(1);
  });

  it("spreads retries by ±20% and caps the delay at retry_max_seconds", async () => {
    const { retryDelaySeconds } = await import("../../src/pipeline/send.js");
    const mail = { retry_base_seconds: 60, retry_max_seconds: 600 };
    expect(retryDelaySeconds(1, mail, 0)).toBeCloseTo(48);
    expect(retryDelaySeconds(1, mail, 0.999999)).toBeCloseTo(72);
    expect(retryDelaySeconds(3, mail, 0.5)).toBe(240);
    expect(retryDelaySeconds(20, mail, 0.5)).toBe(600);
  });

  it("gives up on a message still deferred retry_for_hours after it was queued", async () => {
    const hh = await harness({
      retry_base_seconds: 600,
      retry_max_seconds: 1800,
      retry_for_hours: 1,
    });
    const server = await sink({
      fault: ({ stage }) => (stage === "data" ? { reply: 452 } : undefined),
    });
    const via = mailer([server.port]);
    await queueEdition(hh, ["ani@example.org"]);
    expect(await send(hh, via)).toMatchObject({ deferred: 1 });
    later(hh, 1800);
    expect(await send(hh, via)).toMatchObject({ deferred: 1 });
    later(hh, 1900);
    const last = await send(hh, via);
    expect(last).toMatchObject({ sent: 0, deferred: 0, failed: 1, left: 0 });
    const [row] = await rows(hh);
    expect(row).toMatchObject({ status: "failed", attempts: 3, smtp_code: 452 });
    expect(row!.last_error).toMatch(/gave up after 3 attempt/);
    expect(server.messages).toHaveLength(0);
  });

  it("bounces a 5xx, counts hard bounces up to the limit, and a delivery resets the count", async () => {
    const hh = await harness({ bounce_limit: 2 });
    const server = await sink({
      fault: ({ stage, recipient, attempt }) =>
        stage === "rcpt" &&
        (recipient === "hilang@example.org" || (recipient === "budi@example.com" && attempt === 1))
          ? { reply: 550, message: "no such user" }
          : undefined,
    });
    const via = mailer([server.port]);
    const [gone, budi] = await queueEdition(hh, ["hilang@example.org", "budi@example.com"]);
    expect(await send(hh, via)).toMatchObject({ sent: 0, bounced: 2, left: 0 });
    expect((await rows(hh)).map((r) => [r.status, r.smtp_code])).toEqual([
      ["bounced", 550],
      ["bounced", 550],
    ]);
    expect(await hh.subscribers.byId(gone!.id)).toMatchObject({ status: "active", hardBounces: 1 });
    expect(await hh.subscribers.byId(budi!.id)).toMatchObject({ hardBounces: 1 });

    await queueEdition(hh, ["hilang@example.org", "budi@example.com"]);
    expect(await send(hh, via)).toMatchObject({ sent: 1, bounced: 1 });
    expect(await hh.subscribers.byId(gone!.id)).toMatchObject({
      status: "bounced",
      hardBounces: 2,
    });
    expect(await hh.subscribers.byId(budi!.id)).toMatchObject({ status: "active", hardBounces: 0 });

    // A bounced subscriber gets nothing more.
    await queueEdition(hh, ["hilang@example.org"]);
    expect(await send(hh, via)).toMatchObject({ sent: 0, bounced: 0, left: 0 });
  });

  it("defers when the connection drops mid-DATA or the server stops answering, then delivers once", async () => {
    const hh = await harness({ retry_base_seconds: 60 });
    const server = await sink({
      fault: ({ stage, recipient, attempt }) => {
        if (stage !== "data" || attempt > 1) return undefined;
        if (recipient === "putus@example.org") return "drop";
        if (recipient === "diam@example.org") return "hang";
        return undefined;
      },
    });
    const via = mailer([server.port]);
    await queueEdition(hh, ["putus@example.org", "diam@example.org", "ani@example.org"]);
    const first = await send(hh, via);
    expect(first).toMatchObject({ sent: 1, deferred: 2 });
    expect((await rows(hh)).map((r) => r.status)).toEqual(["deferred", "deferred", "sent"]);
    later(hh, 120);
    expect(await send(hh, via)).toMatchObject({ sent: 2, deferred: 0, left: 0 });
    expect(server.messages.map((m) => m.envelopeTo[0]).sort()).toEqual([
      "ani@example.org",
      "diam@example.org",
      "putus@example.org",
    ]);
  });

  it("defers when the server never greets or is down", async () => {
    const hh = await harness();
    const silent = await startSilentServer();
    cleanups.push(silent.close);
    await queueEdition(hh, ["ani@example.org"]);
    expect(await send(hh, mailer([silent.port]))).toMatchObject({ sent: 0, deferred: 1 });
    later(hh, 3600);
    expect(await send(hh, mailer([await closedPort()]))).toMatchObject({ sent: 0, deferred: 1 });
    expect(await rows(hh)).toMatchObject([{ status: "deferred", attempts: 2 }]);
  });

  it("fails over to the next server when the first is down or refuses connections", async () => {
    const hh = await harness();
    const backup = await sink();
    await queueEdition(hh, ["a@example.org", "b@example.org", "c@example.org"]);
    const down = await send(hh, mailer([await closedPort(), backup.port]));
    expect(down).toMatchObject({ sent: 3, deferred: 0 });
    expect(backup.messages).toHaveLength(3);

    const busy = await sink({ refuseConnections: 421 });
    await queueEdition(hh, ["a@example.org", "b@example.org"]);
    const refused = await send(hh, mailer([busy.port, backup.port]));
    expect(refused).toMatchObject({ sent: 2, deferred: 0 });
    expect(backup.messages).toHaveLength(5);
    expect(busy.messages).toHaveLength(0);
    expect(busy.connections).toBeGreaterThan(0);
  });

  it("pauses the edition after too many transport errors in a row, loses nothing, and resumes", async () => {
    const hh = await harness({ max_consecutive_errors: 3 });
    const emails = Array.from({ length: 6 }, (_, i) => `pembaca${i}@example.org`);
    await queueEdition(hh, emails);
    const port = await closedPort();
    const paused = await send(hh, mailer([port]));
    expect(paused).toMatchObject({ sent: 0, deferred: 3 });
    expect(paused.paused).toHaveLength(1);
    expect(paused.paused[0]!.reason).toMatch(/3 transport errors in a row/);
    const statuses = (await rows(hh)).map((r) => r.status).sort();
    expect(statuses).toEqual(["deferred", "deferred", "deferred", "queued", "queued", "queued"]);
    expect((await rows(hh)).filter((r) => r.status === "queued").map((r) => r.attempts)).toEqual([
      0, 0, 0,
    ]);

    // Paused: nothing is claimed, even once the retry time has come.
    later(hh, 3600);
    const server = await sink();
    expect(await send(hh, mailer([server.port]))).toMatchObject({ sent: 0, left: 6 });

    const resumed = await send(hh, mailer([server.port]), { resume: "all" });
    expect(resumed).toMatchObject({ sent: 6, left: 0, paused: [] });
    expect(resumed.resumed).toHaveLength(1);
    expect(server.messages.map((m) => m.envelopeTo[0]).sort()).toEqual(emails.sort());
  });

  it("keeps to the ramp-up limit of each day, counting what was sent in the last hour", async () => {
    const hh = await harness({ ramp_up: { start: "2024-05-04", per_hour: [2, 4] } });
    const server = await sink();
    const via = mailer([server.port]);
    await queueEdition(
      hh,
      Array.from({ length: 12 }, (_, i) => `pembaca${i}@example.org`),
    );
    const first = await send(hh, via);
    expect(first).toMatchObject({ sent: 2, rampUp: { perHour: 2, day: 1, more: 2 } });
    later(hh, 30 * 60);
    expect(await send(hh, via)).toMatchObject({ sent: 0, rampUp: { more: 0 } });
    later(hh, 31 * 60);
    expect(await send(hh, via)).toMatchObject({ sent: 2 });
    // The next day in Jakarta allows 4 an hour.
    hh.setNow("2024-05-05T03:00:00Z");
    expect(await send(hh, via)).toMatchObject({ sent: 4, rampUp: { perHour: 4, day: 2 } });
    // After the last day of the list there is no limit.
    hh.setNow("2024-05-06T03:00:00Z");
    const free = await send(hh, via);
    expect(free).toMatchObject({ sent: 4, left: 0 });
    expect(free.rampUp).toBeUndefined();
    expect(server.messages).toHaveLength(12);
  });

  it("stops on the signal: messages in flight finish and the claimed rest goes back to the queue", async () => {
    const hh = await harness({ batch_size: 10 });
    const server = await sink();
    await queueEdition(
      hh,
      Array.from({ length: 10 }, (_, i) => `pembaca${i}@example.org`),
    );
    const stop = new AbortController();
    const progress: number[] = [];
    const summary = await send(hh, mailer([server.port]), {
      stop: stop.signal,
      onProgress: (p) => {
        progress.push(p.remaining);
        stop.abort();
      },
    });
    expect(summary.stopped).toBe(true);
    expect(summary.sent).toBeGreaterThanOrEqual(1);
    expect(progress[0]).toBe(9);
    const after = await rows(hh);
    expect(after.filter((r) => r.status === "sending")).toHaveLength(0);
    expect(after.filter((r) => r.status === "sent")).toHaveLength(summary.sent);
    for (const row of after.filter((r) => r.status === "queued")) {
      expect(row).toMatchObject({ attempts: 0, claimed_by: null });
    }
    expect(await send(hh, mailer([server.port]))).toMatchObject({ sent: 10 - summary.sent });
    expect(server.messages).toHaveLength(10);
  });
});
