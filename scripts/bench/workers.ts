/*
 * Messages per second of 1, 2 and 4 `warta worker` processes sharing one store's delivery queue,
 * and the peak memory of each worker, run as an operator runs them (`node bin/warta.js worker
 * --drain --config FILE`, children of the built program, all started at once), delivering one
 * composed digest edition over SMTP into postfix's smtp-sink on loopback (a fresh sink for
 * every run; `-c` counts what it received).
 *
 * The store is PostgreSQL by default: a schema of its own (bench_workers_<random>) in
 * postgres://postgres@127.0.0.1:5432/warta_test, dropped at the end. BENCH_STORE gives another
 * postgres:// URL (a ?schema=NAME in it is used as given and kept; without one a random schema is
 * added and dropped), `sqlite` (a file in the temporary folder) or the path of an SQLite file
 * that does not exist yet. Whatever it is, it must hold no subscribers at the start.
 *
 * The store is real: the bundled sample articles collected with `warta collect`, then
 * BENCH_SUBSCRIBERS active subscribers (default 20,000, as in the send benchmark, so that the
 * whole run takes minutes; the full size is 1,000,000) generated in one INSERT ... SELECT
 * (generate_series on PostgreSQL, a recursive CTE on SQLite), most with a name so greetings
 * differ, and one edition composed for all of them with the library's composeDigests (as
 * `warta digest` does before it sends), which queues the deliveries with one INSERT ... SELECT
 * from the subscribers.
 *
 * Runs, each after one UPDATE that puts the deliveries back in the queue (and, on PostgreSQL, a
 * VACUUM ANALYZE of the table so every run starts without the dead rows of the one before):
 * - calibration: one worker sends a tenth of the queue (the first tenth of the subscribers; the
 *   rest is marked sent), for the memory bound below;
 * - for W in BENCH_WORKERS (default 1,2,4): W workers drain the whole queue. Wall time is from
 *   starting them to the last one exiting; messages/s is the queue over it, and the speed-up is
 *   against the 1-worker run of the same invocation.
 *
 * A worker that finds nothing left to claim while others still hold rows looks again after
 * `--poll` seconds (BENCH_POLL, default 1), so the wall time includes up to that much after the
 * last message; the time of the last message recorded sent is printed too.
 *
 * Peak resident memory of each worker is read with GNU time (`/usr/bin/time -f %M`, Debian
 * package `time`) when present, else (or with BENCH_TIME=none) by polling VmHWM in
 * /proc/PID/status.
 *
 * It fails (throws, so `npm run bench` exits non-zero) when a worker exits non-zero or is still
 * running after BENCH_RUN_TIMEOUT_S (3,600 s), when a sink did not count exactly the messages
 * queued (fewer: lost mail; more: duplicates), when a delivery is not `sent` afterwards, when the
 * workers' own counts of sent messages do not add up to the queue, or when any worker's peak RSS
 * exceeds MEMORY_BOUND times the calibration worker's.
 *
 * Settings given to each worker (environment, default): BENCH_POOL_CONNECTIONS
 * (mail.pool.max_connections, 5), BENCH_POOL_MESSAGES (mail.pool.max_messages, 100),
 * BENCH_BATCH_SIZE (mail.batch_size, 200), BENCH_CLAIM_SECONDS (mail.claim_seconds, 300).
 * BENCH_KEEP keeps the temporary folder and the schema. Needs postfix's smtp-sink (package
 * postfix, never started itself; SMTP_SINK overrides its path), PostgreSQL for the default store
 * and, preferably, GNU time. The helpers for the sink and the workspace follow send.ts's.
 */
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { sql } from "kysely";
import pg from "pg";
import { loadConfig } from "../../src/config/index.js";
import { composeDigests, composedEditions } from "../../src/pipeline/index.js";
import { silentLogger } from "../../src/shared/logger.js";
import {
  type Db,
  openDatabase,
  SqlArticleRepository,
  SqlEditionRepository,
} from "../../src/store/index.js";
import { describeStore, isPostgresUrl } from "../../src/store/spec.js";
import { childEnv, familyNames, givenNames, startSink, writeSendingConfig } from "./smtp-sink.js";

/** The configuration of the workspace: the store, mail over SMTP to 127.0.0.1:port. */
function writeConfig(dir: string, store: string, port: number): string {
  return writeSendingConfig(
    dir,
    port,
    {
      pool: { max_connections: poolConnections, max_messages: poolMessages },
      batch_size: batchSize,
      claim_seconds: claimSeconds,
    },
    store,
  );
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const wartaBin = path.join(repoRoot, "bin", "warta.js");

const subscriberCount = Number(process.env.BENCH_SUBSCRIBERS ?? 20_000);
const workerCounts = (process.env.BENCH_WORKERS ?? "1,2,4").split(",").map((w) => Number(w));
const poolConnections = Number(process.env.BENCH_POOL_CONNECTIONS ?? 5);
const poolMessages = Number(process.env.BENCH_POOL_MESSAGES ?? 100);
const batchSize = Number(process.env.BENCH_BATCH_SIZE ?? 200);
const claimSeconds = Number(process.env.BENCH_CLAIM_SECONDS ?? 300);
const pollSeconds = Number(process.env.BENCH_POLL ?? 1);
const smtpSink = process.env.SMTP_SINK ?? "/usr/sbin/smtp-sink";
/** GNU time; BENCH_TIME=none polls /proc instead. */
const gnuTime = process.env.BENCH_TIME ?? "/usr/bin/time";
const defaultPostgres = "postgres://postgres@127.0.0.1:5432/warta_test";
/** The calibration run sends this fraction of the queue (1/10) with one worker. */
const CALIBRATION_SHARE = 10;
/**
 * Largest allowed peak RSS of any worker over the calibration worker's (one worker sending a
 * tenth of the queue). A worker that streams the queue holds one claimed batch and the messages
 * in flight whatever the queue's length, so its peak is Node, the modules, the compiled edition
 * and the heap V8 grows under a steady stream of ~84 KB messages; the same bound as the send
 * benchmark (BENCHMARKS.md, "Sending"), where a flat sender peaked at 215-231 MB for 2,000
 * messages and 288-305 MB for 20,000 (ratios 1.26-1.37: a short run ends before the heap has
 * reached its steady size). 1.75 still fails a worker whose memory grows with the queue by more
 * than ~0.75 of a flat worker's peak over the other nine tenths of the queue: at the reduced
 * size (20,000) that is ~170 MB over 18,000 messages, ~9 KB kept per message; at the full size
 * (1,000,000), ~0.2 KB per message.
 */
const MEMORY_BOUND = 1.75;
/** A run whose workers have not all exited after this long is killed and the benchmark fails. */
const RUN_TIMEOUT_MS = Number(process.env.BENCH_RUN_TIMEOUT_S ?? 3_600) * 1_000;
const secret = "bench-workers-secret-0123456789-abcdefghijklmn";

/** The store the benchmark writes to, and the schema to drop afterwards (if it made one). */
interface StoreChoice {
  spec: string;
  postgres: boolean;
  /** A schema this run named, dropped at the end: the URL without it, and its name. */
  drop?: { url: string; schema: string };
}

function chooseStore(root: string): StoreChoice {
  const given = process.env.BENCH_STORE?.trim() || defaultPostgres;
  if (isPostgresUrl(given)) {
    const url = new URL(given);
    if (url.searchParams.has("schema")) return { spec: given, postgres: true };
    const schema = `bench_workers_${randomBytes(4).toString("hex")}`;
    const base = url.toString();
    url.searchParams.set("schema", schema);
    return { spec: url.toString(), postgres: true, drop: { url: base, schema } };
  }
  const file = given === "sqlite" ? path.join(root, "store", "warta.sqlite") : path.resolve(given);
  if (existsSync(file)) throw new Error(`bench workers: ${file} exists; give a new path`);
  return { spec: file, postgres: false };
}

/**
 * Creates the database of a PostgreSQL URL when it is missing (a fresh machine has only
 * "postgres"); the bench's schema is then created in it by the store's migrations.
 */
async function ensureDatabase(spec: string): Promise<void> {
  const url = new URL(spec);
  const database = decodeURIComponent(url.pathname.replace(/^\//, ""));
  if (!database) return;
  url.pathname = "/postgres";
  url.search = "";
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const exists = await client.query("select 1 from pg_database where datname = $1", [database]);
    if (exists.rowCount === 0)
      await client.query(`create database "${database.replaceAll('"', '""')}"`);
  } finally {
    await client.end();
  }
}

async function dropSchema(drop: { url: string; schema: string }): Promise<void> {
  const client = new pg.Client({ connectionString: drop.url });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${drop.schema}" cascade`);
  } finally {
    await client.end();
  }
}

/**
 * Adds `count` active subscribers in one INSERT ... SELECT over a generated series: subscriber
 * i is pembaca.<i, 7 digits>@example.org, named from the lists above unless i is a multiple of
 * 5 (send.ts's subscribers, generated by the database instead of a million-element array).
 */
async function generateSubscribers(
  db: Db,
  postgres: boolean,
  count: number,
  site: { language: string; timezone: string },
): Promise<number> {
  const stamp = new Date().toISOString();
  const given = sql.join(givenNames.map((n) => sql.lit(n)));
  const family = sql.join(familyNames.map((n) => sql.lit(n)));
  const columns = sql`(email, name, language, timezone, status, frequency, categories,
    consent_source, confirmed_at, created_at, updated_at)`;
  const values = (email: ReturnType<typeof sql>, name: ReturnType<typeof sql>) => sql`
    select ${email},
      case when i % 5 = 0 then null else ${name} end,
      ${site.language}, ${site.timezone}, 'active', 'daily', '[]', 'import',
      ${stamp}, ${stamp}, ${stamp}`;
  const result = postgres
    ? await sql`insert into subscribers ${columns}
        ${values(
          sql`'pembaca.' || lpad(i::text, 7, '0') || '@example.org'`,
          sql`(array[${given}])[1 + i % ${sql.lit(givenNames.length)}] || ' ' ||
            (array[${family}])[1 + (i * 7) % ${sql.lit(familyNames.length)}]`,
        )}
        from generate_series(1, cast(${count} as integer)) as g(i)`.execute(db)
    : await sql`insert into subscribers ${columns}
        with recursive g(i) as (select 1 union all select i + 1 from g where i < ${count})
        ${values(
          sql`printf('pembaca.%07d@example.org', i)`,
          // SQLite has no arrays: pick the names by position in a JSON list.
          sql`json_extract(${JSON.stringify(givenNames)}, '$[' || (i % ${sql.lit(givenNames.length)}) || ']')
            || ' ' ||
            json_extract(${JSON.stringify(familyNames)}, '$[' || ((i * 7) % ${sql.lit(familyNames.length)}) || ']')`,
        )}
        from g`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

/** What the prepared store holds. */
interface Prepared {
  editionId: number;
  subject: string;
  articles: number;
  messageBytes: number;
}

/**
 * Collects the samples with `warta collect`, generates the subscribers, composes one edition for
 * all of them with composeDigests (which queues their deliveries), and returns what it made.
 */
async function prepareStore(
  dir: string,
  store: StoreChoice,
  db: () => Promise<Db>,
): Promise<Prepared> {
  const configFile = writeConfig(dir, store.spec, 25);
  let started = performance.now();
  execFileSync(process.execPath, [wartaBin, "collect", "--config", configFile], {
    env: childEnv(secret),
    stdio: ["ignore", "pipe", "inherit"],
  });
  const config = loadConfig({ file: configFile, env: childEnv(secret) });
  const handle = await db();
  const existing = await sql<{ n: number }>`select count(*) as n from subscribers`.execute(handle);
  if (Number(existing.rows[0]?.n ?? 0) !== 0) {
    throw new Error(`bench workers: ${describeStore(store.spec)} already holds subscribers`);
  }
  console.log(`samples collected in ${seconds(started)} s`);
  started = performance.now();
  const added = await generateSubscribers(handle, store.postgres, subscriberCount, config.site);
  if (added !== subscriberCount) {
    throw new Error(`bench workers: generated ${added} subscribers, expected ${subscriberCount}`);
  }
  console.log(`${fmt(added)} subscribers generated in ${seconds(started)} s`);
  started = performance.now();
  const result = await composeDigests({
    settings: {
      site: config.site,
      newsletter: config.newsletter,
      templatesDir: config.paths.templates,
    },
    articles: new SqlArticleRepository(handle),
    editions: new SqlEditionRepository(handle),
    now: () => new Date(),
    logger: silentLogger(),
    byHand: true,
  });
  const editions = composedEditions(result);
  const recipients = editions.reduce((sum, e) => sum + e.recipients, 0);
  const [first] = editions;
  if (editions.length !== 1 || !first || recipients !== subscriberCount) {
    throw new Error(
      `bench workers: composed ${editions.length} edition(s) for ${recipients} recipients; ` +
        `expected 1 for ${subscriberCount}`,
    );
  }
  console.log(
    `one edition composed and ${fmt(recipients)} deliveries queued in ${seconds(started)} s`,
  );
  if (store.postgres) {
    // What autovacuum does in the background after a bulk import (and it is off on some
    // servers, this machine's among them): without statistics the planner takes the
    // subscribers table for nearly empty and scans every delivery for each claimed batch.
    await sql`vacuum analyze subscribers`.execute(handle);
    await sql`analyze editions`.execute(handle);
  }
  return {
    editionId: first.edition.id,
    subject: first.edition.subject,
    articles: first.edition.articleIds.length,
    messageBytes: Buffer.byteLength(first.edition.html) + Buffer.byteLength(first.edition.text),
  };
}

/**
 * Puts deliveries back in the queue with one UPDATE: all of them, or only those of the first
 * `only` subscribers (the others are marked sent). Returns how many are queued. On PostgreSQL
 * the table is then vacuumed, so each run starts without the previous run's dead rows.
 */
async function resetQueue(db: Db, postgres: boolean, only?: number): Promise<number> {
  const status =
    only === undefined
      ? sql`'queued'`
      : sql`case when subscriber_id in
          (select id from subscribers order by id limit ${only}) then 'queued' else 'sent' end`;
  await sql`update deliveries set status = ${status}, attempts = 0, last_error = null,
      last_response = null, smtp_code = null, first_attempt_at = null, updated_at = null,
      sent_at = null, next_attempt_at = null, claimed_by = null, claimed_until = null`.execute(db);
  await sql`update editions set paused_at = null, paused_reason = null`.execute(db);
  if (postgres) await sql`vacuum analyze deliveries`.execute(db);
  const row = await sql<{ n: number }>`
    select count(*) as n from deliveries where status = 'queued'`.execute(db);
  return Number(row.rows[0]?.n ?? 0);
}

/** Peak RSS by polling /proc/PID/status (VmHWM is the high-water mark: the last read wins). */
function pollPeak(pid: number | undefined): { stop: () => number } {
  let peakKb = 0;
  const read = () => {
    try {
      const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      if (match) peakKb = Math.max(peakKb, Number(match[1]));
    } catch {
      // The process has gone: keep the last reading.
    }
  };
  const timer = setInterval(read, 20);
  return {
    stop: () => {
      clearInterval(timer);
      return peakKb / 1024;
    },
  };
}

/** How one worker of a run went. */
interface WorkerResult {
  exitCode: number | null;
  /** Seconds from the start of the run to this worker's exit. */
  seconds: number;
  peakMb: number;
  /** What it says it sent, from its last line ("worker HOLDER: stopped; N sent, ..."). */
  sent: number | undefined;
  summary: string;
  errors: string;
}

/** How a run of W workers went. */
interface Run {
  label: string;
  workers: number;
  queued: number;
  seconds: number;
  /** Seconds from the start to the last delivery recorded sent. */
  lastSentSeconds: number;
  received: number;
  results: WorkerResult[];
  statuses: Record<string, number>;
  /** Deliveries claimed more than once (a claim that ran out, or was released and taken again). */
  reclaimed: number;
  loadBefore: number;
  loadAfter: number;
}

/** Starts one `warta worker --drain`, under GNU time when there is one. */
function startWorker(configFile: string, timeFile: string, started: number) {
  const useTime = existsSync(gnuTime);
  const command = [
    process.execPath,
    wartaBin,
    "worker",
    "--drain",
    "--poll",
    String(pollSeconds),
    "--config",
    configFile,
  ];
  const options = {
    env: childEnv(secret),
    stdio: ["ignore", "pipe", "pipe"] as ["ignore", "pipe", "pipe"],
    // Each leads its own process group, so a hung worker dies with GNU time around it.
    detached: true,
  };
  const child = useTime
    ? spawn(gnuTime, ["-f", "%M", "-o", timeFile, ...command], options)
    : spawn(command[0]!, command.slice(1), options);
  const poll = useTime ? null : pollPeak(child.pid);
  let output = "";
  let errors = "";
  child.stdout.on("data", (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8_000);
  });
  child.stderr.on("data", (chunk: Buffer) => {
    errors = (errors + chunk.toString()).slice(-4_000);
  });
  const done = new Promise<WorkerResult>((resolve) => {
    child.once("exit", (exitCode) => {
      const seconds = (performance.now() - started) / 1_000;
      let peakMb = poll?.stop() ?? 0;
      if (useTime) {
        // On failure GNU time writes "Command exited with non-zero status N" first.
        const lines = existsSync(timeFile) ? readFileSync(timeFile, "utf8").trim().split("\n") : [];
        peakMb = Number(lines[lines.length - 1] ?? 0) / 1024;
      }
      const last = /worker \S+: stopped; (\d+) sent, .*$/m.exec(output);
      resolve({
        exitCode,
        seconds,
        peakMb,
        sent: last ? Number(last[1]) : undefined,
        summary: last?.[0] ?? output.trim().split("\n").slice(-1)[0] ?? "",
        errors: errors.trim(),
      });
    });
  });
  return { child, done };
}

/** Runs `workers` workers on the queue into a fresh sink, until all have exited. */
async function runWorkers(
  dir: string,
  store: StoreChoice,
  db: Db,
  label: string,
  workers: number,
  queued: number,
): Promise<Run> {
  const sink = await startSink(smtpSink);
  try {
    const configFile = writeConfig(dir, store.spec, sink.port);
    const loadBefore = loadavg()[0]!;
    const startedAt = new Date();
    const started = performance.now();
    const children = Array.from({ length: workers }, (_, i) =>
      startWorker(configFile, path.join(dir, `time-${label}-${i}.txt`), started),
    );
    let timedOut = false;
    const timeout = setTimeout(() => {
      timedOut = true;
      for (const { child } of children) {
        if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, "SIGKILL");
      }
    }, RUN_TIMEOUT_MS);
    const results = await Promise.all(children.map((c) => c.done));
    clearTimeout(timeout);
    if (timedOut) {
      for (const r of results) r.errors += `\nkilled after ${RUN_TIMEOUT_MS / 1_000} s`;
    }
    const seconds = Math.max(...results.map((r) => r.seconds));
    const loadAfter = loadavg()[0]!;
    const received = await sink.stop();
    const counts = await sql<{ status: string; n: number }>`
      select status, count(*) as n from deliveries group by status`.execute(db);
    const statuses = Object.fromEntries(counts.rows.map((r) => [r.status, Number(r.n)]));
    const extra = await sql<{ reclaimed: number; last: string | null }>`
      select (select count(*) from deliveries where attempts > 1) as reclaimed,
             (select max(sent_at) from deliveries) as last`.execute(db);
    const last = extra.rows[0]?.last;
    return {
      label,
      workers,
      queued,
      seconds,
      lastSentSeconds: last ? (new Date(last).getTime() - startedAt.getTime()) / 1_000 : Number.NaN,
      received,
      results,
      statuses,
      reclaimed: Number(extra.rows[0]?.reclaimed ?? 0),
      loadBefore,
      loadAfter,
    };
  } catch (error) {
    await sink.stop().catch(() => 0);
    throw error;
  }
}

/** The checks every run must pass: nothing lost, nothing twice, every worker fine. */
function checkRun(run: Run, failures: string[]): void {
  const name = `${run.label} (${run.workers} worker${run.workers === 1 ? "" : "s"})`;
  run.results.forEach((r, i) => {
    if (r.exitCode !== 0) {
      failures.push(`${name}: worker ${i + 1} exited with ${r.exitCode}`);
      if (r.errors) console.log(`  worker ${i + 1}'s stderr ends with:\n${r.errors}`);
    }
  });
  if (run.received !== run.queued) {
    failures.push(
      `${name}: smtp-sink received ${run.received} messages, expected ${run.queued} ` +
        `(${run.received < run.queued ? "lost" : "duplicated"} mail)`,
    );
  }
  const notSent = Object.entries(run.statuses).filter(([status]) => status !== "sent");
  if (notSent.length > 0) {
    failures.push(
      `${name}: deliveries not sent afterwards: ${notSent.map(([s, n]) => `${n} ${s}`).join(", ")}`,
    );
  }
  const said = run.results.reduce((sum, r) => sum + (r.sent ?? 0), 0);
  if (run.results.some((r) => r.sent === undefined) || said !== run.queued) {
    failures.push(`${name}: the workers say they sent ${said} messages, expected ${run.queued}`);
  }
}

function table(rows: string[][]): void {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
  for (const row of rows) {
    console.log(
      row
        .map((cell, col) => (col === 0 ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!)))
        .join("  "),
    );
  }
}

const fmt = (value: number, digits = 0) =>
  value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

const seconds = (since: number) => ((performance.now() - since) / 1_000).toFixed(1);

/** Runs the workers benchmark; throws when a check fails. */
export async function run(): Promise<void> {
  if (!existsSync(smtpSink)) {
    throw new Error(`bench workers: ${smtpSink} is missing (Debian package postfix, not started)`);
  }
  if (!Number.isInteger(subscriberCount) || subscriberCount < CALIBRATION_SHARE) {
    throw new Error(`bench workers: BENCH_SUBSCRIBERS must be an integer >= ${CALIBRATION_SHARE}`);
  }
  if (workerCounts.some((w) => !Number.isInteger(w) || w < 1 || w > 64)) {
    throw new Error(`bench workers: BENCH_WORKERS must list worker counts, such as 1,2,4`);
  }
  try {
    execFileSync(
      process.execPath,
      [
        path.join(repoRoot, "node_modules/typescript/bin/tsc"),
        "-p",
        path.join(repoRoot, "tsconfig.build.json"),
      ],
      { encoding: "utf8" },
    );
  } catch (error) {
    const out = (error as { stdout?: string }).stdout ?? String(error);
    throw new Error(`bench workers: the build fails, nothing to measure:\n${out}`);
  }
  const root = mkdtempSync(path.join(tmpdir(), "warta-bench-workers-"));
  const store = chooseStore(root);
  if (store.drop) await ensureDatabase(store.drop.url);
  const failures: string[] = [];
  let db: Db | undefined;
  const open = async () => {
    db ??= await openDatabase(store.spec, { poolSize: 2 });
    return db;
  };
  try {
    console.log(
      `store ${describeStore(store.spec)}; ${fmt(subscriberCount)} subscribers; ` +
        `workers ${workerCounts.join(", ")}; ${availableParallelism()} cores available`,
    );
    console.log(
      `each worker: mail.pool.max_connections ${poolConnections}, max_messages ${poolMessages}, ` +
        `mail.batch_size ${batchSize}, mail.claim_seconds ${claimSeconds}, --poll ${pollSeconds}; ` +
        `memory read with ${existsSync(gnuTime) ? `${gnuTime} -f %M` : "/proc/PID/status VmHWM"}`,
    );
    const prepared = await prepareStore(root, store, open);
    const handle = await open();
    console.log(
      `edition ${prepared.editionId}: "${prepared.subject}", ${prepared.articles} articles, ` +
        `${fmt(prepared.messageBytes)} bytes of HTML and text before personalisation`,
    );

    // Calibration: one worker, a tenth of the queue; its peak is the memory reference.
    const share = Math.floor(subscriberCount / CALIBRATION_SHARE);
    const calibrationQueued = await resetQueue(handle, store.postgres, share);
    if (calibrationQueued !== share) {
      throw new Error(`bench workers: queued ${calibrationQueued} for calibration, not ${share}`);
    }
    const runs: Run[] = [];
    const report = (r: Run) => {
      const sent = r.results.map((w) => fmt(w.sent ?? Number.NaN)).join(" / ");
      console.log(
        `${r.label}: ${r.workers} worker(s), ${fmt(r.queued)} queued: ${r.seconds.toFixed(2)} s ` +
          `(last sent at ${r.lastSentSeconds.toFixed(2)} s), sink ${fmt(r.received)}, ` +
          `sent per worker ${sent}, peak RSS ${r.results.map((w) => fmt(w.peakMb)).join(" / ")} MB, ` +
          `claimed more than once ${fmt(r.reclaimed)}, load ${r.loadBefore.toFixed(1)} -> ` +
          `${r.loadAfter.toFixed(1)}`,
      );
    };
    const calibration = await runWorkers(root, store, handle, "calibration", 1, share);
    report(calibration);
    checkRun(calibration, failures);

    for (const workers of workerCounts) {
      const queued = await resetQueue(handle, store.postgres);
      if (queued !== subscriberCount) {
        throw new Error(`bench workers: queued ${queued} deliveries, not ${subscriberCount}`);
      }
      const result = await runWorkers(root, store, handle, `run`, workers, queued);
      report(result);
      checkRun(result, failures);
      runs.push(result);
    }

    const reference = runs.find((r) => r.workers === 1);
    const calibrationPeak = calibration.results[0]?.peakMb ?? 0;
    const bound = calibrationPeak * MEMORY_BOUND;
    console.log("");
    table([
      [
        "workers",
        "messages",
        "received",
        "wall s",
        "last sent s",
        "messages/s",
        "speed-up",
        "peak RSS max MB",
        "mean MB",
        "sent per worker min-max",
      ],
      ...[calibration, ...runs].map((r) => {
        const peaks = r.results.map((w) => w.peakMb);
        const sent = r.results.map((w) => w.sent ?? 0);
        const rate = r.queued / r.seconds;
        return [
          r === calibration ? "1 (calibration, 1/10)" : String(r.workers),
          fmt(r.queued),
          fmt(r.received),
          r.seconds.toFixed(2),
          r.lastSentSeconds.toFixed(2),
          fmt(rate),
          r === calibration || !reference
            ? ""
            : (rate / (reference.queued / reference.seconds)).toFixed(2),
          fmt(Math.max(...peaks)),
          fmt(peaks.reduce((a, b) => a + b, 0) / peaks.length),
          `${fmt(Math.min(...sent))}-${fmt(Math.max(...sent))}`,
        ];
      }),
    ]);
    console.log(
      `\n${availableParallelism()} cores available (os.availableParallelism()): with fewer cores ` +
        `than workers (plus ${store.postgres ? "PostgreSQL and " : ""}the sink on the same ` +
        `machine), W workers cannot go W times as fast. Load average now ${loadavg()
          .map((l) => l.toFixed(1))
          .join(" ")}.`,
    );
    const worst = Math.max(...runs.flatMap((r) => r.results.map((w) => w.peakMb)));
    console.log(
      `memory per worker: ${fmt(calibrationPeak)} MB sending ${fmt(share)} messages alone; ` +
        `at most ${fmt(worst)} MB in the runs of ${fmt(subscriberCount)} ` +
        `(bound ${MEMORY_BOUND} x ${fmt(calibrationPeak)} = ${fmt(bound)} MB for every worker)`,
    );
    for (const r of runs) {
      r.results.forEach((w, i) => {
        if (!(w.peakMb > 0 && w.peakMb <= bound)) {
          failures.push(
            `memory grows with the queue: worker ${i + 1} of ${r.workers} peaked at ` +
              `${fmt(w.peakMb)} MB, over ${MEMORY_BOUND} x the ${fmt(calibrationPeak)} MB of one ` +
              `worker sending ${fmt(share)} messages`,
          );
        }
      });
    }
  } finally {
    await (db as Db | undefined)?.destroy();
    if (process.env.BENCH_KEEP) {
      console.log(`kept ${root}${store.drop ? ` and schema ${store.drop.schema}` : ""}`);
    } else {
      if (store.drop) await dropSchema(store.drop);
      rmSync(root, { recursive: true, force: true });
    }
  }
  if (failures.length > 0) {
    const lines = failures.map((f) => `  - ${f}`).join("\n");
    console.error(`\n!!! bench workers FAILED:\n${lines}`);
    throw new Error(`bench workers: ${failures.length} check(s) failed`);
  }
}

// Run directly (npx tsx scripts/bench/workers.ts): argv[1] may be relative, so resolve it.
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  await run();
}
