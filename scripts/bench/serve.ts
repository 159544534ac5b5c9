/*
 * Feed serving throughput: `warta serve` (the built command, as users run it: one Node
 * process) against nginx (nginx-light from Debian, one worker process, `gzip_static on` with
 * a precompressed rss.xml.gz beside the file, `etag on`, sendfile, access log off), both on
 * loopback serving the same ~100 KB RSS file, both measured by wrk in the same run:
 *
 *   wrk -t2 -c50 -d<BENCH_SECONDS>s -H 'Accept-Encoding: gzip' [-H 'If-None-Match: <etag>'] URL
 *
 * (a) a fresh 200 with a gzip body; (b) a conditional GET answered 304, each server asked
 * with its own ETag for the gzip representation. Each measured run follows a 2-second warm-up
 * (not counted). BENCH_SECONDS sets the measured duration (default 10). Needs wrk and nginx.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const warmUpSeconds = 2;

/** A deterministic ~100 KB RSS 2.0 feed with varied Indonesian-looking text. */
function generateFeed(targetBytes: number): string {
  const words = [
    "berita",
    "kota",
    "Jambi",
    "pemerintah",
    "warga",
    "pasar",
    "sungai",
    "Batanghari",
    "sekolah",
    "jalan",
    "banjir",
    "harga",
    "beras",
    "gubernur",
    "rapat",
    "desa",
    "petani",
    "sawit",
    "karet",
    "musim",
  ];
  let seed = 42;
  const next = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed;
  };
  const sentence = (n: number) =>
    Array.from({ length: n }, () => words[next() % words.length]).join(" ");
  let xml =
    '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>' +
    "<title>Warta Bench</title><link>https://news.example.org/</link>" +
    "<description>Bench feed</description>\n";
  for (let i = 0; xml.length < targetBytes; i += 1) {
    xml +=
      `<item><title>${sentence(8)}</title>` +
      `<link>https://news.example.org/berita/${i}-${next()}</link>` +
      `<guid isPermaLink="false">urn:warta:${next().toString(16)}</guid>` +
      `<pubDate>${new Date(Date.UTC(2026, 10, 29, 0, 0, 0) - i * 3_600_000).toUTCString()}</pubDate>` +
      `<description>${sentence(60)}</description></item>\n`;
  }
  return `${xml}</channel></rss>\n`;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** Starts `node bin/warta.js serve` and resolves with the URL it prints. */
function startWarta(config: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [path.join(repoRoot, "bin", "warta.js"), "serve", "--config", config, "--port", "0"],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  return new Promise((resolve, reject) => {
    let out = "";
    child.once("exit", (code) => reject(new Error(`warta serve exited with ${code}: ${out}`)));
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const url = /at (http:\/\/\S+)/.exec(out)?.[1];
      if (url) {
        child.removeAllListeners("exit");
        resolve({ child, url });
      }
    });
  });
}

function nginxConfig(dir: string, port: number): string {
  return `daemon off;
master_process on;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/tmp/body;
  proxy_temp_path ${dir}/tmp/proxy;
  fastcgi_temp_path ${dir}/tmp/fastcgi;
  uwsgi_temp_path ${dir}/tmp/uwsgi;
  scgi_temp_path ${dir}/tmp/scgi;
  types { application/rss+xml xml; }
  default_type application/octet-stream;
  charset utf-8;
  charset_types application/rss+xml;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:${port};
    root ${dir}/public;
    etag on;
    gzip_static on;
    gzip_vary on;
    add_header Cache-Control "public, max-age=300";
  }
}
`;
}

/** Starts nginx with its own configuration in `dir`; resolves once it answers. */
async function startNginx(dir: string): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const conf = path.join(dir, "nginx.conf");
  writeFileSync(conf, nginxConfig(dir, port));
  const child = spawn("nginx", ["-c", conf, "-p", dir, "-e", path.join(dir, "error.log")], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  const url = `http://127.0.0.1:${port}/`;
  for (let attempt = 0; attempt < 100; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}`);
    try {
      await fetch(url);
      return { child, url };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  throw new Error("nginx did not start");
}

async function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill(signal);
  await exited;
}

/** The ETag of the gzip representation, checked: 200 gzip, then 304 with it. */
async function gzipEtag(url: string, name: string): Promise<string> {
  const first = await fetch(url, { headers: { "accept-encoding": "gzip" } });
  await first.arrayBuffer();
  const etag = first.headers.get("etag");
  if (first.status !== 200 || first.headers.get("content-encoding") !== "gzip" || !etag) {
    throw new Error(`${name}: expected a gzip 200 with an ETag, got ${first.status}`);
  }
  const second = await fetch(url, {
    headers: { "accept-encoding": "gzip", "if-none-match": etag },
  });
  if (second.status !== 304) throw new Error(`${name}: expected 304, got ${second.status}`);
  return etag;
}

function wrk(url: string, headers: string[], duration: number): number {
  const args = ["-t2", "-c50", `-d${duration}s`];
  for (const header of headers) args.push("-H", header);
  const output = execFileSync("wrk", [...args, url], { encoding: "utf8" });
  const rate = /Requests\/sec:\s+([\d.]+)/.exec(output)?.[1];
  const failures = /Non-2xx or 3xx responses: (\d+)|Socket errors: (.*)/.exec(output);
  if (failures) console.log(`  wrk: ${failures[0]}`);
  if (!rate) throw new Error(`wrk printed no rate:\n${output}`);
  return Number(rate);
}

/** Runs the serving benchmark and prints requests/s of warta and nginx with their ratio. */
export async function run(): Promise<void> {
  execFileSync(process.execPath, [
    path.join(repoRoot, "node_modules/typescript/bin/tsc"),
    "-p",
    path.join(repoRoot, "tsconfig.build.json"),
  ]);
  const dir = mkdtempSync(path.join(tmpdir(), "warta-bench-serve-"));
  // nginx workers drop root privileges: they must be able to read the files.
  chmodSync(dir, 0o755);
  const feed = Buffer.from(generateFeed(100 * 1024), "utf8");
  for (const root of ["warta", "nginx"]) {
    mkdirSync(path.join(dir, root, "public", "feeds"), { recursive: true, mode: 0o755 });
    chmodSync(path.join(dir, root), 0o755);
    chmodSync(path.join(dir, root, "public"), 0o755);
    writeFileSync(path.join(dir, root, "public", "feeds", "rss.xml"), feed, { mode: 0o644 });
  }
  mkdirSync(path.join(dir, "nginx", "tmp"));
  // gzip_static: nginx serves this file as is, as warta serves its once-compressed body.
  writeFileSync(
    path.join(dir, "nginx", "public", "feeds", "rss.xml.gz"),
    gzipSync(feed, { level: 9 }),
    { mode: 0o644 },
  );
  const config = path.join(dir, "warta", "warta.yaml");
  writeFileSync(
    config,
    `paths: { public: ${JSON.stringify(path.join(dir, "warta", "public"))} }\n` +
      "server: { host: 127.0.0.1, cache_max_age: 300 }\nlog: { level: warn }\n",
  );
  const children: { child: ChildProcess; signal: NodeJS.Signals }[] = [];
  try {
    const warta = await startWarta(config);
    children.push({ child: warta.child, signal: "SIGTERM" });
    const nginx = await startNginx(path.join(dir, "nginx"));
    children.push({ child: nginx.child, signal: "SIGQUIT" });
    const servers = [
      { name: "warta", url: `${warta.url}feeds/rss.xml` },
      { name: "nginx", url: `${nginx.url}feeds/rss.xml` },
    ];
    console.log(
      `feed: ${feed.length} bytes (${gzipSync(feed, { level: 9 }).length} gzipped); ` +
        `wrk -t2 -c50 -d${seconds}s after a ${warmUpSeconds}s warm-up; nginx: 1 worker, gzip_static`,
    );
    const rows: string[][] = [["case", "warta req/s", "nginx req/s", "warta/nginx"]];
    for (const kind of ["200 gzip", "304 If-None-Match"] as const) {
      const rates: number[] = [];
      for (const server of servers) {
        const headers = ["Accept-Encoding: gzip"];
        if (kind !== "200 gzip") {
          headers.push(`If-None-Match: ${await gzipEtag(server.url, server.name)}`);
        }
        wrk(server.url, headers, warmUpSeconds);
        rates.push(wrk(server.url, headers, seconds));
      }
      const [wartaRate = 0, nginxRate = 0] = rates;
      rows.push([
        kind,
        wartaRate.toFixed(0),
        nginxRate.toFixed(0),
        (wartaRate / nginxRate).toFixed(2),
      ]);
    }
    const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
    for (const row of rows) {
      console.log(
        row
          .map((cell, col) => (col === 0 ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!)))
          .join("  "),
      );
    }
  } finally {
    for (const { child, signal } of children) await stop(child, signal);
    rmSync(dir, { recursive: true, force: true });
  }
}

// Run directly (npx tsx scripts/bench/serve.ts): argv[1] may be relative, so resolve it.
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  await run();
}
