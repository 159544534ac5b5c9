import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { simpleParser } from "mailparser";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { MANIFEST_PATH } from "../../src/pipeline/publish.js";
import { createServer, type PublicServer } from "../../src/server/index.js";
import { silentLogger } from "../../src/shared/logger.js";
import { type Db, SqlFileVersions } from "../../src/store/index.js";
import { type RunningWarta, runWarta, spawnWarta } from "../helpers/cli.js";
import { openTestStore } from "../helpers/store.js";
import { createWorkspace, type Workspace, workspaceConfig } from "../helpers/workspace.js";

/**
 * Two machines behind one load balancer: each has its own public folder and data folder, and
 * runs its own `warta publish` (at its own time) and `warta serve`; they share only the store
 * (the SQLite file of the first, or one PostgreSQL schema) and the link-signing secret, which
 * must be the same everywhere (WARTA_SECRET; data/secret.key is per machine).
 */

/** The link-signing secret both machines are given. */
const SECRET = "scale-tests-secret-0123456789-abcdefghij";

/**
 * Header fields that may differ between two answers to the same request: the clock and the
 * connection. Nothing else may: the pages carry no CSRF token or CSP nonce (their one inline
 * stylesheet is allowed by its hash, the same everywhere).
 */
const PER_RESPONSE = new Set(["date", "connection", "keep-alive"]);

/** Accept-Encoding values to ask with (undefined: no header at all). */
const CODINGS = [undefined, "gzip", "br", "gzip, deflate, br"] as const;

/** The subscription pages and the archive: made per request, the same for everyone. */
const DYNAMIC_PAGES = ["subscribe", "subscribe?lang=en", "newsletter/", "newsletter/?lang=en"];

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** A request over a plain socket: no header added, no body decoded, unlike fetch. */
function request(
  base: string,
  target: string,
  headers: Record<string, string> = {},
  method = "GET",
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const outgoing = http.request(new URL(target, base), { method, headers, agent: false });
    outgoing.on("error", reject);
    outgoing.on("response", (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("error", reject);
      response.on("end", () => {
        const fields: Record<string, string> = {};
        for (const [name, value] of Object.entries(response.headers)) {
          if (value !== undefined) fields[name] = Array.isArray(value) ? value.join(", ") : value;
        }
        resolve({ status: response.statusCode ?? 0, headers: fields, body: Buffer.concat(chunks) });
      });
    });
    outgoing.end();
  });
}

/** The header fields of an answer that must not differ between instances. */
function stable(answer: Answer): Record<string, string> {
  return Object.fromEntries(
    Object.entries(answer.headers).filter(([name]) => !PER_RESPONSE.has(name)),
  );
}

/** The URL a running `warta serve` printed. */
async function servingUrl(warta: RunningWarta): Promise<string> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const url = /^warta: serving .+ at (http:\/\/\S+)$/m.exec(warta.stdout)?.[1];
    if (url) return url;
    if (warta.child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`warta serve did not start: ${warta.stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Every file below `folder` that is served, relative, with "/" separators, sorted: dot-files
 * (the publish manifest) are the publisher's own and never served.
 */
function filesBelow(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && !entry.name.startsWith("."))
    .map((entry) => path.relative(folder, path.join(entry.parentPath, entry.name)))
    .map((relative) => relative.split(path.sep).join("/"))
    .sort();
}

/** Waits until the folder holds `count` .eml files, then returns them, oldest name first. */
async function outboxMessages(folder: string, count: number): Promise<string[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    let names: string[] = [];
    try {
      names = readdirSync(folder).filter((name) => name.endsWith(".eml"));
    } catch {
      // The outbox folder appears with the first message.
    }
    if (names.length >= count) return names.sort().map((name) => path.join(folder, name));
    if (Date.now() > deadline) throw new Error(`expected ${count} messages in ${folder}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("several `warta serve` on one store", () => {
  let first: Workspace;
  let second: Workspace;
  const serving: RunningWarta[] = [];
  /** Base URLs of the two instances. */
  let a = "";
  let b = "";
  let publicFiles: string[] = [];

  const env = { WARTA_SECRET: SECRET };
  const cli = async (ws: Workspace, ...args: string[]) => {
    const result = await runWarta([...args, "--config", ws.configFile], { cwd: ws.root, env });
    expect(result.code, `warta ${args.join(" ")}: ${result.stderr}`).toBe(0);
    return result;
  };

  beforeAll(async () => {
    first = createWorkspace({ withSamples: true });
    second = createWorkspace();
    const settings = { server: { port: 0 }, log: { level: "warn" } };
    first.writeConfig(workspaceConfig(settings));
    // The second machine: its own folders (and no articles of its own), the first one's store.
    second.writeConfig(workspaceConfig({ ...settings, store: first.store }));

    await cli(first, "collect");
    for (const ws of [first, second]) {
      const warta = spawnWarta(["serve", "--config", ws.configFile], { cwd: ws.root, env });
      serving.push(warta);
    }
    a = await servingUrl(serving[0]!);
    b = await servingUrl(serving[1]!);

    // A reader signs up on one machine and confirms on the other: the link is signed with the
    // shared secret and the pending subscriber is in the shared store.
    const posted = await fetch(new URL("subscribe", a), {
      method: "POST",
      body: new URLSearchParams({
        email: "pembaca@example.org",
        language: "id",
        frequency: "daily",
        timezone: "Asia/Jakarta",
      }),
    });
    expect(posted.status).toBe(200);
    const [message] = await outboxMessages(path.join(first.root, "outbox"), 1);
    const mail = await simpleParser(readFileSync(message!));
    const link = /https:\/\/news\.example\.org\/subscribe\/confirm\?token=\S+/.exec(
      mail.text ?? "",
    )?.[0];
    expect(link).toBeDefined();
    const token = new URL(link!).searchParams.get("token")!;
    const confirmed = await fetch(new URL("subscribe/confirm", b), {
      method: "POST",
      body: new URLSearchParams({ token }),
    });
    expect(confirmed.status).toBe(200);
    expect(await confirmed.text()).toContain("Langganan aktif");

    // A digest for that reader, so that the archive lists an edition with a web version.
    const digest = await cli(first, "digest");
    expect(digest.stdout).toMatch(/edition 1 .*queued for 1 subscriber/);

    // Each machine publishes into its own folder, a few seconds apart: the files' times differ.
    await cli(first, "publish");
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await cli(second, "publish");
    publicFiles = filesBelow(path.join(first.root, "public"));
  }, 240_000);

  afterAll(async () => {
    for (const warta of serving) {
      if (warta.child.exitCode === null) {
        warta.child.kill("SIGTERM");
        await warta.exited;
      }
    }
    first?.remove();
    second?.remove();
  });

  it("publishes the same files on both machines, at different times", () => {
    expect(publicFiles).toContain("feeds/rss.xml");
    expect(publicFiles).toContain("feeds/category/ekonomi/atom.xml");
    expect(publicFiles).toContain("feeds/archive/2024-05.xml");
    expect(publicFiles).toContain("newsletter/1/index.html");
    expect(filesBelow(path.join(second.root, "public"))).toEqual(publicFiles);
    // Each folder keeps its publish manifest, which no instance serves.
    expect(existsSync(path.join(first.root, "public", MANIFEST_PATH))).toBe(true);
    const mtime = (ws: Workspace) =>
      Math.floor(statSync(path.join(ws.root, "public", "feeds", "rss.xml")).mtimeMs / 1000);
    // Otherwise the Last-Modified comparisons below would prove nothing.
    expect(mtime(second)).toBeGreaterThan(mtime(first));
  });

  it("serves every public file with the same bytes, ETag and Last-Modified, in every coding", async () => {
    const targets = ["", "newsletter/1/", ...publicFiles];
    expect((await request(a, MANIFEST_PATH, {})).status).toBe(404);
    let compressed = 0;
    for (const target of targets) {
      for (const coding of CODINGS) {
        const headers: Record<string, string> = coding ? { "accept-encoding": coding } : {};
        const fromA = await request(a, target, headers);
        const fromB = await request(b, target, headers);
        const label = `${target} (${coding ?? "no Accept-Encoding"})`;
        expect(fromA.status, label).toBe(200);
        expect(fromB.status, label).toBe(200);
        expect(fromA.headers.etag, label).toMatch(/^"[\w-]+"$/);
        expect(fromA.headers["last-modified"], label).toBeDefined();
        expect(stable(fromB), label).toEqual(stable(fromA));
        expect(fromB.body.equals(fromA.body), label).toBe(true);
        if (fromA.headers["content-encoding"]) compressed += 1;
      }
    }
    // The compressed bodies were compared too (byte for byte, each with its own tag).
    expect(compressed).toBeGreaterThan(targets.length);
    const gzipped = await request(a, "feeds/rss.xml", { "accept-encoding": "gzip" });
    expect(gzipped.headers["content-encoding"]).toBe("gzip");
    expect(gzipped.headers.etag).toMatch(/-gz"$/);
  });

  it("serves the subscription form and the archive with the same bytes and ETag", async () => {
    for (const target of DYNAMIC_PAGES) {
      for (const coding of CODINGS) {
        for (const language of [undefined, "en-GB, id;q=0.5"]) {
          const headers: Record<string, string> = {};
          if (coding) headers["accept-encoding"] = coding;
          if (language) headers["accept-language"] = language;
          const fromA = await request(a, target, headers);
          const fromB = await request(b, target, headers);
          const label = `${target} (${JSON.stringify(headers)})`;
          expect(fromA.status, label).toBe(200);
          expect(fromA.headers["cache-control"], label).toMatch(/^public/);
          expect(fromA.headers.etag, label).toMatch(/^"[\w-]+"$/);
          expect(stable(fromB), label).toEqual(stable(fromA));
          expect(fromB.body.equals(fromA.body), label).toBe(true);
        }
      }
      const head = await request(b, target, {}, "HEAD");
      expect(head.headers.etag).toBe((await request(a, target)).headers.etag);
    }
    // The archive shows the edition, linked to its web version.
    const archive = (await request(b, "newsletter/")).body.toString("utf8");
    expect(archive).toContain('href="/newsletter/1/"');
  });

  it("answers 304 to a conditional request made with the other instance's validators", async () => {
    for (const target of ["", "newsletter/1/", ...publicFiles, ...DYNAMIC_PAGES]) {
      for (const coding of [undefined, "br"]) {
        const headers: Record<string, string> = coding ? { "accept-encoding": coding } : {};
        const fromA = await request(a, target, headers);
        const fromB = await request(b, target, headers);
        const label = `${target} (${coding ?? "identity"})`;
        const again = async (base: string, validators: Record<string, string>) =>
          request(base, target, { ...headers, ...validators });
        const revalidatedOnB = await again(b, { "if-none-match": fromA.headers.etag! });
        expect(revalidatedOnB.status, label).toBe(304);
        expect(revalidatedOnB.headers.etag, label).toBe(fromA.headers.etag);
        expect(revalidatedOnB.body.length, label).toBe(0);
        const revalidatedOnA = await again(a, { "if-none-match": fromB.headers.etag! });
        expect(revalidatedOnA.status, label).toBe(304);
        const modified = fromA.headers["last-modified"];
        if (modified !== undefined) {
          // A client that only remembers the date (no ETag) is answered alike.
          expect((await again(b, { "if-modified-since": modified })).status, label).toBe(304);
        }
      }
    }
  });
});

describe("Last-Modified agreed in the store", () => {
  let db: Db | undefined;
  const folders: string[] = [];
  afterEach(async () => {
    await db?.destroy();
    db = undefined;
    for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
  });

  /** A public folder holding feeds/rss.xml with these bytes and this modification time. */
  function publicFolder(): { dir: string; write: (body: string, mtime: string) => void } {
    const dir = mkdtempSync(path.join(tmpdir(), "warta-lm-"));
    folders.push(dir);
    mkdirSync(path.join(dir, "feeds"));
    return {
      dir,
      write(body, mtime) {
        const file = path.join(dir, "feeds", "rss.xml");
        writeFileSync(file, body);
        utimesSync(file, new Date(mtime), new Date(mtime));
      },
    };
  }

  const lastModified = async (server: PublicServer) =>
    (await server.handle(new Request("http://warta.test/feeds/rss.xml"))).headers.get(
      "last-modified",
    );

  it("gives the same bytes the time of the first server that saw them, and never goes back", async () => {
    db = await openTestStore();
    const versions = new SqlFileVersions(db);
    const [one, two] = [publicFolder(), publicFolder()];
    const serverOf = (dir: string) =>
      createServer({
        publicDir: dir,
        cacheMaxAge: 60,
        logger: silentLogger(),
        statCacheMs: 0,
        versions,
      });
    const [a, b] = [serverOf(one.dir), serverOf(two.dir)];

    one.write("<rss>first</rss>", "2026-11-29T06:00:00Z");
    two.write("<rss>first</rss>", "2026-11-29T06:00:42Z");
    expect(await lastModified(a)).toBe("Sun, 29 Nov 2026 06:00:00 GMT");
    expect(await lastModified(b)).toBe("Sun, 29 Nov 2026 06:00:00 GMT");

    // A new version: B publishes it first this time.
    two.write("<rss>second</rss>", "2026-11-29T07:00:10Z");
    one.write("<rss>second</rss>", "2026-11-29T07:00:30Z");
    expect(await lastModified(b)).toBe("Sun, 29 Nov 2026 07:00:10 GMT");
    expect(await lastModified(a)).toBe("Sun, 29 Nov 2026 07:00:10 GMT");

    // The change undone: the first bytes again. Their old time would let a client that holds
    // the second version (If-Modified-Since 07:00:10) keep it, so the time moves on instead.
    one.write("<rss>first</rss>", "2026-11-29T08:00:00Z");
    two.write("<rss>first</rss>", "2026-11-29T08:00:05Z");
    expect(await lastModified(a)).toBe("Sun, 29 Nov 2026 08:00:00 GMT");
    expect(await lastModified(b)).toBe("Sun, 29 Nov 2026 08:00:00 GMT");
    const stale = await a.handle(
      new Request("http://warta.test/feeds/rss.xml", {
        headers: { "if-modified-since": "Sun, 29 Nov 2026 07:00:10 GMT" },
      }),
    );
    expect(stale.status).toBe(200);
    expect(await stale.text()).toBe("<rss>first</rss>");
  });

  it("falls back to the file's time while the store cannot answer", async () => {
    const { dir, write } = publicFolder();
    write("<rss>first</rss>", "2026-11-29T06:00:00Z");
    const server = createServer({
      publicDir: dir,
      cacheMaxAge: 60,
      logger: silentLogger(),
      statCacheMs: 0,
      versions: { agree: () => Promise.reject(new Error("store: connection refused")) },
    });
    const response = await server.handle(new Request("http://warta.test/feeds/rss.xml"));
    expect(response.status).toBe(200);
    expect(response.headers.get("last-modified")).toBe("Sun, 29 Nov 2026 06:00:00 GMT");
  });
});
