import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
// newsboat keeps its cache in SQLite: read what it stored, whatever warta's own store is.
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { runWarta } from "../helpers/cli.js";
import {
  createWorkspace,
  repoRoot,
  type Workspace,
  workspaceConfig,
} from "../helpers/workspace.js";

const run = promisify(execFile);

/** A transparent proxy on loopback that records the status of every answer, by path. */
async function startRecordingProxy(target: string) {
  const statuses: { path: string; status: number }[] = [];
  const server = http.createServer((request, response) => {
    const upstream = http.request(
      new URL(request.url ?? "/", target),
      { method: request.method, headers: request.headers },
      (answer) => {
        statuses.push({
          path: new URL(request.url ?? "/", target).pathname,
          status: answer.statusCode ?? 0,
        });
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on("error", () => response.destroy());
    request.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    statusesOf: (p: string) => statuses.filter((s) => s.path === p).map((s) => s.status),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Starts `warta serve --port 0` and resolves with the address it prints. */
function startServe(config: string, cwd: string): Promise<{ child: ChildProcess; origin: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [path.join(repoRoot, "bin", "warta.js"), "serve", "--port", "0", "--config", config],
      { cwd, env: { PATH: process.env.PATH }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /(http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
      if (match) resolve({ child, origin: match[1]! });
    });
    child.on("exit", (code) => reject(new Error(`warta serve exited with ${code}: ${out}`)));
  });
}

interface StoredItem {
  title: string;
  url: string;
  published_at: string;
}

describe("real feed clients against warta serve", () => {
  let ws: Workspace | undefined;
  let serve: ChildProcess | undefined;
  let proxy: Awaited<ReturnType<typeof startRecordingProxy>> | undefined;
  let scratch: string | undefined;
  afterEach(async () => {
    serve?.kill("SIGTERM");
    await proxy?.close();
    ws?.remove();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it("feedparser and newsboat see every item with its title, link and date, then get a 304", async () => {
    for (const tool of ["/usr/bin/python3", "/usr/bin/newsboat"]) {
      if (!existsSync(tool))
        throw new Error(`${tool} is missing: install python3-feedparser and newsboat`);
    }
    ws = createWorkspace({ withSamples: true });
    const config = ws.writeConfig(workspaceConfig({ feeds: { items: 100 } }));
    expect((await runWarta(["collect", "--config", config], { cwd: ws.root })).code).toBe(0);
    expect((await runWarta(["feeds", "--config", config], { cwd: ws.root })).code).toBe(0);

    const db = await ws.openStore();
    const stored: StoredItem[] = await db
      .selectFrom("articles")
      .select(["title", "url", "published_at"])
      .orderBy("published_at", "desc")
      .execute();
    await db.destroy();
    expect(stored.length).toBeGreaterThan(10);
    const expected = stored.map((s) => ({
      title: s.title,
      link: s.url,
      epoch: Date.parse(s.published_at) / 1000,
    }));
    const byLink = (items: { title: string; link: string; epoch: number }[]) =>
      [...items].sort((a, b) => a.link.localeCompare(b.link));

    const started = await startServe(config, ws.root);
    serve = started.child;
    proxy = await startRecordingProxy(started.origin);

    // Python's feedparser, fetching over HTTP itself, then again with the ETag it was given.
    const script = `
import json, sys, calendar, feedparser
url = sys.argv[1]
first = feedparser.parse(url)
second = feedparser.parse(url, etag=first.get("etag"), modified=first.get("modified"))
print(json.dumps({
  "bozo": first.bozo, "exception": str(first.get("bozo_exception", "")),
  "status": first.get("status"), "second": second.get("status"),
  "items": [{"title": e.title, "link": e.link, "epoch": calendar.timegm(e.published_parsed)} for e in first.entries],
}))`;
    for (const feed of ["/feeds/rss.xml", "/feeds/atom.xml"]) {
      // Asynchronous: the recording proxy lives in this process and must keep answering.
      const { stdout: raw } = await run("/usr/bin/python3", [
        "-c",
        script,
        `${proxy.origin}${feed}`,
      ]);
      const parsed = JSON.parse(raw) as {
        bozo: boolean | number;
        exception: string;
        status: number;
        second: number;
        items: { title: string; link: string; epoch: number }[];
      };
      expect(parsed.exception).toBe("");
      expect(Boolean(parsed.bozo)).toBe(false);
      expect(parsed.status).toBe(200);
      expect(parsed.second).toBe(304);
      expect(byLink(parsed.items)).toEqual(byLink(expected));
      expect(proxy.statusesOf(feed)).toEqual([200, 304]);
    }

    // newsboat, a real terminal reader, with its own cache per feed (it keeps one copy of an
    // item per GUID, and both feeds share their GUIDs); once it holds the validators, a
    // reload must get a 304.
    scratch = mkdtempSync(path.join(tmpdir(), "warta-newsboat-"));
    writeFileSync(path.join(scratch, "config"), "");
    for (const [index, feed] of ["/feeds/rss.xml", "/feeds/atom.xml"].entries()) {
      const urls = path.join(scratch, `urls-${index}`);
      const cache = path.join(scratch, `cache-${index}.db`);
      writeFileSync(urls, `${proxy.origin}${feed}\n`);
      const reload = () =>
        run(
          "/usr/bin/newsboat",
          ["-x", "reload", "-u", urls, "-c", cache, "-C", path.join(scratch!, "config")],
          { env: { PATH: process.env.PATH, HOME: scratch }, timeout: 60_000 },
        );
      await reload();
      const newsboat = new Database(cache, { readonly: true });
      const items = newsboat
        .prepare("select title, url as link, pubDate as epoch from rss_item where feedurl = ?")
        .all(`${proxy.origin}${feed}`) as { title: string; link: string; epoch: number }[];
      newsboat.close();
      expect(byLink(items)).toEqual(byLink(expected));
      // newsboat 2.21 keeps the validators only from its second reload of a feed on (on the
      // first it updates a row it has not created yet), so the third reload is the conditional one.
      await reload();
      await reload();
      expect(proxy.statusesOf(feed).slice(-3)).toEqual([200, 200, 304]);
    }
  });
});
