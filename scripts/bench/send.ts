/*
 * Delivery speed and memory of `warta send`, run as an operator runs it (`node bin/warta.js
 * send --config FILE`, a child process of the built program), delivering one composed digest
 * edition over SMTP into postfix's smtp-sink on loopback. The reference is postfix's
 * smtp-source sending the same number of messages of the same bytes (one message warta sent,
 * captured first) into a fresh smtp-sink in the same run, with 5 sessions that reuse their
 * connections (`smtp-source -d -s 5 -m N -F message.eml`).
 *
 * Each store is real: the bundled sample articles collected with `warta collect`,
 * BENCH_RECIPIENTS active subscribers (default 20,000) added with
 * SqlSubscriberRepository.addIfAbsent, and one edition composed for all of them with the
 * library's composeDigests (as `warta digest` does, without its send step). A second store
 * with a tenth of the recipients (BENCH_SMALL_RECIPIENTS, default 2,000) is sent the same way
 * to compare peak memory. The message size comes from a first pass of three recipients sent
 * by `warta send` into an in-process SMTP server that keeps the bytes.
 *
 * For information, the same bytes also go out through Nodemailer alone (a bare pooled transport
 * with warta's pool settings, no store: scripts/bench/nodemailer-alone.ts) into a fresh sink:
 * the ceiling of any sender built on Nodemailer on this machine, next to smtp-source's rate.
 *
 * After the large run, `warta send` runs once more on the emptied queue: it must send nothing,
 * and its time is the fixed cost (Node start-up, loading modules, opening the store) included
 * in every wall time above, printed for information.
 *
 * Peak resident memory of the warta process is read with GNU time (`/usr/bin/time -f %M`,
 * Debian package `time`) when present, else (or with BENCH_TIME=none) by polling VmHWM in
 * /proc/PID/status.
 *
 * It fails (throws, so `npm run bench` exits non-zero) when a `warta send` exits non-zero,
 * when a sink did not count exactly the number of messages asked for (fewer: lost mail; more:
 * duplicates; any from the run on the emptied queue), when the large run's peak memory
 * exceeds MEMORY_BOUND times the small run's, or when warta's rate is under TARGET_RATIO of
 * smtp-source's (BENCH_NO_RATE_TARGET=1 reports that ratio without failing on it).
 *
 * Settings given to warta (environment, default): BENCH_POOL_CONNECTIONS (5, as smtp-source's
 * sessions), BENCH_POOL_MESSAGES (mail.pool.max_messages, 100, the default),
 * BENCH_BATCH_SIZE (mail.batch_size, 200, the default). BENCH_KEEP keeps the temporary folder.
 * Needs postfix's smtp-sink and smtp-source (package postfix, never started itself; SMTP_SINK
 * and SMTP_SOURCE override their paths) and, preferably, GNU time.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { SMTPServer } from "smtp-server";
import { loadConfig } from "../../src/config/index.js";
import type { NewSubscriber } from "../../src/domain/subscriber.js";
import { composeDigests, composedEditions } from "../../src/pipeline/index.js";
import { silentLogger } from "../../src/shared/logger.js";
import {
  openDatabase,
  SqlArticleRepository,
  SqlEditionRepository,
  SqlSubscriberRepository,
} from "../../src/store/index.js";
import {
  childEnv,
  familyNames,
  freePort,
  fromAddress,
  givenNames,
  startSink,
  writeSendingConfig,
} from "./smtp-sink.js";

/** The configuration of a workspace, mail going over SMTP to 127.0.0.1:port. */
function writeConfig(dir: string, port: number): string {
  return writeSendingConfig(dir, port, {
    pool: { max_connections: poolConnections, max_messages: poolMessages },
    batch_size: batchSize,
  });
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const wartaBin = path.join(repoRoot, "bin", "warta.js");

const largeCount = Number(process.env.BENCH_RECIPIENTS ?? 20_000);
const smallCount = Number(process.env.BENCH_SMALL_RECIPIENTS ?? Math.round(largeCount / 10));
const poolConnections = Number(process.env.BENCH_POOL_CONNECTIONS ?? 5);
const poolMessages = Number(process.env.BENCH_POOL_MESSAGES ?? 100);
const batchSize = Number(process.env.BENCH_BATCH_SIZE ?? 200);
const smtpSink = process.env.SMTP_SINK ?? "/usr/sbin/smtp-sink";
const smtpSource = process.env.SMTP_SOURCE ?? "/usr/sbin/smtp-source";
/** GNU time; BENCH_TIME=none polls /proc instead. */
const gnuTime = process.env.BENCH_TIME ?? "/usr/bin/time";
/** smtp-source sessions, each reusing its connection (-d). */
const SOURCE_SESSIONS = 5;
/** Target: warta sends at least half as many messages per second as smtp-source. */
const TARGET_RATIO = 0.5;
/**
 * Largest allowed peak RSS of the large run over the small one. A sender that streams the
 * queue holds one batch and the messages in flight whatever the queue's length; its peak is
 * Node, the modules and the compiled edition, plus the heap V8 grows under a steady stream of
 * ~100 KB messages until its collector keeps up. Measured on the development machine: the
 * pooled sender peaks at 215-231 MB for 2,000 recipients (the run ends before the heap has
 * grown to its steady size), at 288-305 MB for 20,000 and at 302 MB for 40,000: ratios of
 * 1.26-1.37 for a sender that is flat. So 1.5 leaves too little room for noise; 1.75 still fails
 * any sender whose memory grows with the queue by more than ~170 MB over the 18,000 extra
 * messages, such as one that keeps a tenth of the bytes of the messages it has sent (ten times
 * the recipients of a ~84 KB digest: keeping them all would add 1.5 GB).
 */
const MEMORY_BOUND = 1.75;
/** A send that has not finished after this long is killed and the benchmark fails. */
const SEND_TIMEOUT_MS = Number(process.env.BENCH_SEND_TIMEOUT_S ?? 1_800) * 1_000;
const secret = "bench-send-secret-0123456789-abcdefghijklmnop";

/** Subscriber i: most with a name (so greetings differ), some without. */
function subscriber(i: number): NewSubscriber {
  const entry: NewSubscriber = {
    email: `pembaca.${String(i).padStart(6, "0")}@example.org`,
    language: "id",
    timezone: "Asia/Jakarta",
    frequency: "daily",
    status: "active",
    consentSource: "import",
  };
  if (i % 5 !== 0) {
    entry.name = `${givenNames[i % givenNames.length]} ${familyNames[(i * 7) % familyNames.length]}`;
  }
  return entry;
}

/** What a prepared store holds. */
interface Store {
  dir: string;
  recipients: number;
  subject: string;
  articles: number;
}

/**
 * A workspace with a store holding `count` active subscribers and one edition queued for all
 * of them: the samples collected by `warta collect`, the digest composed by the library.
 */
async function prepareStore(dir: string, count: number): Promise<Store> {
  const configFile = writeConfig(dir, 25);
  execFileSync(process.execPath, [wartaBin, "collect", "--config", configFile], {
    env: childEnv(secret),
    stdio: ["ignore", "pipe", "inherit"],
  });
  const config = loadConfig({ file: configFile, env: childEnv(secret) });
  const db = await openDatabase(path.join(config.paths.data, "warta.sqlite"));
  try {
    const subscribers = new SqlSubscriberRepository(db, {
      language: config.site.language,
      timezone: config.site.timezone,
      frequency: config.newsletter.default_frequency,
    });
    const now = new Date();
    const list = Array.from({ length: count }, (_, i) => subscriber(i + 1));
    const added = await subscribers.addIfAbsent(list, now);
    if (added !== count) throw new Error(`added ${added} subscribers, expected ${count}`);
    const result = await composeDigests({
      settings: {
        site: config.site,
        newsletter: config.newsletter,
        templatesDir: config.paths.templates,
      },
      articles: new SqlArticleRepository(db),
      editions: new SqlEditionRepository(db),
      now: () => new Date(),
      logger: silentLogger(),
      byHand: true,
    });
    const editions = composedEditions(result);
    const recipients = editions.reduce((sum, e) => sum + e.recipients, 0);
    const [first] = editions;
    if (editions.length !== 1 || !first || recipients !== count) {
      throw new Error(
        `composed ${editions.length} edition(s) for ${recipients} recipients; expected 1 for ${count}`,
      );
    }
    return {
      dir,
      recipients,
      subject: first.edition.subject,
      articles: first.edition.articleIds.length,
    };
  } finally {
    await db.destroy();
  }
}

/** How one `warta send` went. */
interface SendRun {
  recipients: number;
  seconds: number;
  peakMb: number;
  received: number;
  exitCode: number | null;
  /** What it printed on stdout (its summary). */
  output: string;
  /** The end of what it printed on stderr. */
  errors: string;
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

/** Runs `node bin/warta.js send` for a store into a fresh smtp-sink, timed, its peak RSS read. */
async function wartaSend(store: Store): Promise<SendRun> {
  const sink = await startSink(smtpSink);
  try {
    const configFile = writeConfig(store.dir, sink.port);
    const timeFile = path.join(store.dir, "time.txt");
    const useTime = existsSync(gnuTime);
    const command = [process.execPath, wartaBin, "send", "--config", configFile];
    const started = performance.now();
    const child = useTime
      ? spawn(gnuTime, ["-f", "%M", "-o", timeFile, ...command], {
          env: childEnv(secret),
          stdio: ["ignore", "pipe", "pipe"],
          detached: true,
        })
      : spawn(command[0]!, command.slice(1), {
          env: childEnv(secret),
          stdio: ["ignore", "pipe", "pipe"],
          detached: true,
        });
    const poll = useTime ? null : pollPeak(child.pid);
    let output = "";
    let errors = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr!.on("data", (chunk: Buffer) => {
      // Only the end matters (progress lines may go there).
      errors = (errors + chunk.toString()).slice(-4_000);
    });
    // The child leads its own process group, so a hung send dies with GNU time around it.
    let timedOut = false;
    const timeout = setTimeout(() => {
      timedOut = true;
      if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
    }, SEND_TIMEOUT_MS);
    const exitCode = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    const seconds = (performance.now() - started) / 1_000;
    clearTimeout(timeout);
    if (timedOut) errors += `\nkilled after ${SEND_TIMEOUT_MS / 1_000} s (BENCH_SEND_TIMEOUT_S)`;
    let peakMb = poll?.stop() ?? 0;
    if (useTime) {
      // On failure GNU time writes "Command exited with non-zero status N" first.
      const lines = existsSync(timeFile) ? readFileSync(timeFile, "utf8").trim().split("\n") : [];
      peakMb = Number(lines[lines.length - 1] ?? 0) / 1024;
    }
    return {
      recipients: store.recipients,
      seconds,
      peakMb,
      received: await sink.stop(),
      exitCode,
      output: output.trim(),
      errors: errors.trim(),
    };
  } catch (error) {
    await sink.stop();
    throw error;
  }
}

/** Runs smtp-source: `count` copies of the message file over 5 reused sessions, timed. */
async function smtpSourceRun(
  messageFile: string,
  count: number,
): Promise<{ seconds: number; received: number; exitCode: number | null; output: string }> {
  const sink = await startSink(smtpSink);
  const args = [
    "-d",
    "-s",
    String(SOURCE_SESSIONS),
    "-m",
    String(count),
    "-F",
    messageFile,
    "-f",
    fromAddress,
    "-t",
    "pembaca@example.org",
    `127.0.0.1:${sink.port}`,
  ];
  const started = performance.now();
  const { exitCode, output } = await runChild(smtpSource, args);
  const seconds = (performance.now() - started) / 1_000;
  return { seconds, received: await sink.stop(), exitCode, output };
}

/** Runs a program to its exit; its stdout and stderr together, trimmed. */
async function runChild(
  command: string,
  args: string[],
  cwd?: string,
): Promise<{ exitCode: number | null; output: string }> {
  const child = spawn(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr!.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exitCode = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  return { exitCode, output: output.trim() };
}

/**
 * Runs scripts/bench/nodemailer-alone.ts: `count` copies of the message's bytes through a bare
 * pooled Nodemailer transport with warta's pool settings, into a fresh sink. Its own timing
 * (from creating the transport to the last reply) leaves out Node's start-up.
 */
async function nodemailerAloneRun(
  rawFile: string,
  count: number,
): Promise<{ seconds: number; received: number; exitCode: number | null; output: string }> {
  const sink = await startSink(smtpSink);
  const { exitCode, output } = await runChild(
    process.execPath,
    [
      "--import",
      "tsx",
      path.join(repoRoot, "scripts", "bench", "nodemailer-alone.ts"),
      String(sink.port),
      String(count),
      rawFile,
      String(poolConnections),
      String(poolMessages),
    ],
    repoRoot,
  );
  const received = await sink.stop();
  const line = output.split("\n").pop() ?? "";
  let seconds = Number.NaN;
  try {
    seconds = (JSON.parse(line) as { seconds: number }).seconds;
  } catch {
    // Reported below through the exit code and output.
  }
  return { seconds, received, exitCode, output };
}

/**
 * Sends a store's queue with `warta send` into an in-process SMTP server that keeps every
 * message's bytes (as received: CRLF line ends, no dot-stuffing).
 */
async function captureMessages(store: Store): Promise<Buffer[]> {
  const messages: Buffer[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        messages.push(Buffer.concat(chunks));
        callback();
      });
    },
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  try {
    const configFile = writeConfig(store.dir, port);
    const child = spawn(process.execPath, [wartaBin, "send", "--config", configFile], {
      env: childEnv(secret),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    if (code !== 0) throw new Error(`warta send (first pass) exited with ${code}:\n${output}`);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  return messages;
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

/** Runs the sending benchmark; throws when a check fails. */
export async function run(): Promise<void> {
  for (const tool of [smtpSink, smtpSource]) {
    if (!existsSync(tool)) {
      throw new Error(`bench send: ${tool} is missing (Debian package postfix, not started)`);
    }
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
    throw new Error(`bench send: the build fails, nothing to measure:\n${out}`);
  }
  const root = mkdtempSync(path.join(tmpdir(), "warta-bench-send-"));
  const failures: string[] = [];
  try {
    // 1. A first pass of three recipients: one real message, its size, for smtp-source.
    const probe = await prepareStore(path.join(root, "probe"), 3);
    const captured = await captureMessages(probe);
    if (captured.length !== 3) {
      throw new Error(`bench send: first pass delivered ${captured.length} of 3 messages`);
    }
    const message = captured[0]!;
    const texts = captured.map((m) => m.toString("utf8"));
    if (new Set(texts.map((t) => t.replace(/^(Date|Message-ID):.*$/gim, ""))).size !== 3) {
      throw new Error("bench send: the three first-pass messages are not personalised");
    }
    if (!/^List-Unsubscribe:/im.test(texts[0]!)) {
      throw new Error("bench send: the first-pass message has no List-Unsubscribe header");
    }
    // smtp-source -F appends CRLF to each line it reads: hand it LF line ends.
    const messageFile = path.join(root, "message.eml");
    writeFileSync(messageFile, message.toString("latin1").replace(/\r\n/g, "\n"), "latin1");
    // Nodemailer alone takes the bytes as they were sent, CRLF line ends.
    const rawFile = path.join(root, "message-crlf.eml");
    writeFileSync(rawFile, message);
    console.log(
      `message: ${fmt(message.length)} bytes as sent (headers included), "${probe.subject}", ` +
        `${probe.articles} articles`,
    );
    console.log(
      `warta: mail.pool.max_connections ${poolConnections}, max_messages ${poolMessages}, ` +
        `mail.batch_size ${batchSize}; memory read with ${existsSync(gnuTime) ? `${gnuTime} -f %M` : "/proc/PID/status VmHWM"}`,
    );

    // 2. The two stores, prepared before anything is timed.
    const stores: Store[] = [];
    for (const count of [smallCount, largeCount]) {
      const started = performance.now();
      stores.push(await prepareStore(path.join(root, `n${count}`), count));
      console.log(
        `store of ${fmt(count)} recipients prepared in ${((performance.now() - started) / 1_000).toFixed(1)} s`,
      );
    }

    // 3. The timed runs, one after the other, each into its own fresh sink; then the large
    // store once more: its queue is empty, so that run sends nothing and shows the fixed cost
    // (Node start-up, opening the store) inside the times above.
    const runs: SendRun[] = [];
    let emptySeconds = 0;
    for (const [store, expected] of [
      ...stores.map((s) => [s, s.recipients] as const),
      [stores[1]!, 0] as const,
    ]) {
      const result = await wartaSend(store);
      const summary = result.output.split("\n").slice(0, 3).join(" | ");
      console.log(
        `warta send, ${fmt(expected)} queued: ${result.seconds.toFixed(2)} s, ` +
          `exit ${result.exitCode}, peak RSS ${fmt(result.peakMb)} MB; ${summary}`,
      );
      if (result.exitCode !== 0) {
        failures.push(`warta send (${expected} queued) exited with ${result.exitCode}`);
        if (result.errors) console.log(`  its stderr ends with:\n${result.errors}`);
      }
      if (result.received !== expected) {
        failures.push(
          `smtp-sink received ${result.received} messages from warta send, expected ${expected}`,
        );
      }
      if (expected > 0) runs.push(result);
      else emptySeconds = result.seconds;
    }
    const source = await smtpSourceRun(messageFile, largeCount);
    if (source.exitCode !== 0) {
      failures.push(`smtp-source exited with ${source.exitCode}: ${source.output}`);
    }
    if (source.received !== largeCount) {
      failures.push(`smtp-sink received ${source.received} of ${largeCount} from smtp-source`);
    }

    const alone = await nodemailerAloneRun(rawFile, largeCount);
    if (alone.exitCode !== 0 || !Number.isFinite(alone.seconds)) {
      failures.push(
        `Nodemailer alone exited with ${alone.exitCode}: ${alone.output.slice(-2_000)}`,
      );
    }
    if (alone.received !== largeCount) {
      failures.push(`smtp-sink received ${alone.received} of ${largeCount} from Nodemailer alone`);
    }

    const [small, large] = runs as [SendRun, SendRun];
    const aloneRate = largeCount / alone.seconds;
    const wartaRate = large.recipients / large.seconds;
    const sourceRate = largeCount / source.seconds;
    const ratio = wartaRate / sourceRate;
    const memoryRatio = large.peakMb / small.peakMb;
    console.log("");
    table([
      ["sender", "messages", "received", "time s", "messages/s", "peak RSS MB"],
      ...runs.map((r) => [
        "warta send",
        fmt(r.recipients),
        fmt(r.received),
        r.seconds.toFixed(2),
        fmt(r.recipients / r.seconds),
        fmt(r.peakMb),
      ]),
      [
        `smtp-source -d -s ${SOURCE_SESSIONS}`,
        fmt(largeCount),
        fmt(source.received),
        source.seconds.toFixed(2),
        fmt(sourceRate),
        "",
      ],
      [
        "Nodemailer alone",
        fmt(largeCount),
        fmt(alone.received),
        alone.seconds.toFixed(2),
        fmt(aloneRate),
        "",
      ],
    ]);
    console.log(
      `\nratio warta / smtp-source (${fmt(largeCount)} messages): ${ratio.toFixed(2)} ` +
        `(target >= ${TARGET_RATIO})`,
    );
    console.log(
      `ceiling: Nodemailer alone (pooled transport, same bytes, no store) / smtp-source: ` +
        `${(aloneRate / sourceRate).toFixed(2)}; warta / Nodemailer alone: ${(wartaRate / aloneRate).toFixed(2)} (for information)`,
    );
    if (emptySeconds > 0 && large.seconds > emptySeconds) {
      console.log(
        `fixed cost of a warta send (its run with an empty queue): ${emptySeconds.toFixed(2)} s; ` +
          `without it, ${fmt(large.recipients)} messages in ${(large.seconds - emptySeconds).toFixed(2)} s = ` +
          `${fmt(large.recipients / (large.seconds - emptySeconds))} messages/s (for information)`,
      );
    }
    console.log(
      `peak RSS ${fmt(large.recipients)} / ${fmt(small.recipients)} recipients: ` +
        `${fmt(large.peakMb)} / ${fmt(small.peakMb)} MB = ${memoryRatio.toFixed(2)} ` +
        `(bound <= ${MEMORY_BOUND})`,
    );
    if (!(memoryRatio <= MEMORY_BOUND)) {
      failures.push(
        `memory is not flat: peak RSS ${large.peakMb.toFixed(0)} MB for ${large.recipients} ` +
          `recipients against ${small.peakMb.toFixed(0)} MB for ${small.recipients} ` +
          `(${memoryRatio.toFixed(2)}x > ${MEMORY_BOUND}x)`,
      );
    }
    if (!(ratio >= TARGET_RATIO)) {
      const text = `warta sends at ${ratio.toFixed(2)} of smtp-source's rate, under the target of ${TARGET_RATIO}`;
      if (process.env.BENCH_NO_RATE_TARGET) console.log(`(not failing: ${text})`);
      else failures.push(text);
    }
  } finally {
    if (process.env.BENCH_KEEP) console.log(`kept ${root}`);
    else rmSync(root, { recursive: true, force: true });
  }
  if (failures.length > 0) {
    const lines = failures.map((f) => `  - ${f}`).join("\n");
    console.error(`\n!!! bench send FAILED:\n${lines}`);
    throw new Error(`bench send: ${failures.length} check(s) failed`);
  }
}

// Run directly (npx tsx scripts/bench/send.ts): argv[1] may be relative, so resolve it.
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  await run();
}
