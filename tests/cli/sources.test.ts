import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runWarta } from "../helpers/cli.js";
import { startHttpServer, type TestHttpServer } from "../helpers/http-server.js";
import {
  createWorkspace,
  repoRoot,
  type Workspace,
  workspaceConfig,
} from "../helpers/workspace.js";

const antaraFeed = path.resolve(
  repoRoot,
  "..",
  "shared",
  "corpus",
  "extraction",
  "indonesian-news",
  "html",
  "antara",
  "antara-mainpage.html",
);

describe("warta collect and warta sources with remote sources", () => {
  let ws: Workspace | undefined;
  let server: TestHttpServer | undefined;
  afterEach(async () => {
    ws?.remove();
    await server?.close();
  });

  it("polls a feed, reports each source's state, and skips a source that is not due", async () => {
    server = await startHttpServer({
      "/rss.xml": { kind: "file", path: antaraFeed, contentType: "application/rss+xml" },
      "/gone.xml": { kind: "status", status: 404 },
    });
    ws = createWorkspace();
    const config = ws.writeConfig(
      workspaceConfig({
        sources: [
          { id: "antara", type: "feed", url: server.url("/rss.xml") },
          { id: "gone", type: "feed", url: server.url("/gone.xml") },
        ],
      }),
    );
    const first = await runWarta(["collect", "--config", config], { cwd: ws.root });
    expect(first.code).toBe(1);
    expect(first.stdout).toMatch(/collect: \d+ documents from 2 source\(s\): \d+ new/);
    expect(first.stdout).toContain(`error: fetch: ${server.url("/gone.xml")}: HTTP 404`);
    const userAgent = server.requests.find((r) => r.path === "/rss.xml")?.headers["user-agent"];
    expect(userAgent).toMatch(/^warta\/\d+\.\d+\.\d+ \(\+https:\/\/news\.example\.org\/\)$/);

    const sources = await runWarta(["sources", "--config", config], { cwd: ws.root });
    expect(sources.code).toBe(0);
    expect(sources.stdout).toContain(`antara (feed): ${server.url("/rss.xml")}`);
    expect(sources.stdout).toMatch(
      /antara \(feed\)[^\n]*\n\s+last success: \d{4}-\d\d-\d\dT[^\n]*items: [1-9]/,
    );
    expect(sources.stdout).toMatch(
      /gone \(feed\)[\s\S]*last error:[^\n]*HTTP 404 \(1 failure\(s\) in a row\)/,
    );

    // Not due yet: nothing is fetched; with --force the feed answers 304.
    const again = await runWarta(["collect", "--config", config], { cwd: ws.root });
    expect(again.stdout).toContain("antara: not due until");
    expect(server.count("/rss.xml")).toBe(1);
    const forced = await runWarta(["collect", "--force", "--config", config], { cwd: ws.root });
    expect(forced.stdout).toContain("antara: not modified since the last poll");
    expect(server.statuses("/rss.xml")).toEqual([200, 304]);
  });
});
