/*
 * What the sending benchmarks share: the workspace configuration and subscriber names, the
 * environment of the warta children they start, free loopback ports, and postfix's smtp-sink
 * with its message counter.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** The sender of every benchmark digest. */
export const fromAddress = "redaksi@news.example.org";

/** Names of generated subscribers: most have one (so greetings differ). */
export const givenNames = [
  "Budi",
  "Siti",
  "Ahmad",
  "Dewi",
  "Rizky",
  "Nur",
  "Agus",
  "Putri",
  "Hendra",
];
export const familyNames = [
  "Santoso",
  "Lestari",
  "Harahap",
  "Siregar",
  "Wijaya",
  "Saputra",
  "Nasution",
];

/**
 * Writes the configuration of a sending benchmark's workspace in `dir`: the bundled samples,
 * mail over SMTP to 127.0.0.1:port with the given `mail` settings (pool, batch size, ...), and
 * the store when one is named. Returns the file's path.
 */
export function writeSendingConfig(
  dir: string,
  port: number,
  mail: Record<string, unknown>,
  store?: string,
): string {
  const file = path.join(dir, "config", "warta.yaml");
  mkdirSync(path.dirname(file), { recursive: true });
  const config = {
    ...(store === undefined ? {} : { store }),
    site: {
      title: "Warta Jambi",
      description: "Berita terbaru dari Jambi, Indonesia dan dunia.",
      base_url: "https://news.example.org/",
      language: "id",
      timezone: "Asia/Jakarta",
    },
    sources: [
      {
        id: "sample",
        type: "directory",
        path: path.join(repoRoot, "samples", "articles"),
        category_from_folder: true,
        default_category: "Lainnya",
      },
    ],
    newsletter: { max_articles: 20, full_articles: 10 },
    mail: {
      from: `Warta Jambi <${fromAddress}>`,
      transport: "smtp",
      smtp: { host: "127.0.0.1", port, secure: false },
      ...mail,
    },
    paths: {
      data: path.join(dir, "data"),
      public: path.join(dir, "public"),
      outbox: path.join(dir, "outbox"),
      templates: path.join(repoRoot, "templates"),
    },
    log: { level: "warn" },
  };
  // JSON is YAML.
  writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
  return file;
}

/** Environment of every warta child: this one's, without settings that would redirect it. */
export function childEnv(secret: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, WARTA_SECRET: secret, WARTA_LOG_LEVEL: "warn" };
  for (const name of [
    "WARTA_CONFIG",
    "WARTA_STORE",
    "WARTA_SMTP_URL",
    "WARTA_SMTP_USER",
    "WARTA_SMTP_PASSWORD",
    "WARTA_DKIM_PRIVATE_KEY",
  ]) {
    delete env[name];
  }
  return env;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resolves once something answers an SMTP greeting on the port (then says QUIT). */
export async function waitForSmtp(port: number, child: ChildProcess, name: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`);
    const greeted = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("error", () => resolve(false));
      socket.once("data", (chunk) => {
        socket.end("QUIT\r\n");
        resolve(chunk.toString().startsWith("220"));
      });
    });
    if (greeted) return;
    await sleep(50);
  }
  throw new Error(`${name} did not answer on port ${port}`);
}

/** A running smtp-sink that throws mail away and counts it (-c). */
export interface Sink {
  port: number;
  /** Stops it and returns the number of messages it received. */
  stop: () => Promise<number>;
}

export async function startSink(smtpSink: string): Promise<Sink> {
  const port = await freePort();
  // smtp-sink refuses to keep root privileges: it must be told whose to take.
  const user = process.getuid?.() === 0 ? ["-u", "nobody"] : [];
  const child = spawn(smtpSink, ["-c", ...user, `127.0.0.1:${port}`, "5000"], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    // Keep only the tail: the counters are rewritten after every message.
    output = (output + chunk.toString()).slice(-4_096);
  });
  let errors = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    errors += chunk.toString();
  });
  await waitForSmtp(port, child, "smtp-sink");
  return {
    port,
    stop: async () => {
      // The counter is updated when "." is received, before the reply: all in by now.
      await sleep(200);
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      const counts = [...output.matchAll(/mesg=(\d+)/g)];
      const last = counts[counts.length - 1]?.[1];
      if (last === undefined) {
        if (errors.trim()) throw new Error(`smtp-sink: ${errors.trim()}`);
        return 0;
      }
      return Number(last);
    },
  };
}
