import { spawn } from "node:child_process";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runWarta } from "../helpers/cli.js";
import {
  createWorkspace,
  repoRoot,
  type Workspace,
  workspaceConfig,
} from "../helpers/workspace.js";

describe("warta run and the server", () => {
  let ws: Workspace | undefined;
  afterEach(() => ws?.remove());

  it("serves the feeds its scheduled publish writes, until SIGTERM", async () => {
    ws = createWorkspace();
    ws.writeArticle("a.md", "---\ntitle: Pasar Malam\ndate: 2024-05-04 19:00\n---\n\nRamai.\n");
    const config = ws.writeConfig(
      workspaceConfig({
        schedule: { collect: "* * * * * *", publish: "* * * * * *", digest: "0 6 1 1 *" },
        server: { port: 0 },
      }),
    );
    const child = spawn(
      process.execPath,
      [path.join(repoRoot, "bin", "warta.js"), "run", "--config", config],
      { cwd: ws.root, env: { PATH: process.env.PATH }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    try {
      const deadline = Date.now() + 45_000;
      let url: string | undefined;
      let feed = "";
      // The first publish may run before the first collect: wait for the article to appear.
      while (Date.now() < deadline && !feed.includes("Pasar Malam")) {
        url ??= /^warta: serving .+ at (http:\/\/\S+)$/m.exec(stdout)?.[1];
        if (url) {
          const response = await fetch(`${url}feeds/rss.xml`);
          feed = await response.text();
          if (response.status === 200) {
            expect(response.headers.get("content-type")).toBe("application/rss+xml; charset=utf-8");
          }
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(url).toBeDefined();
      expect(feed).toContain("Pasar Malam");
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
    expect(stderr).toBe("");
  });

  it("does not serve with --once", async () => {
    ws = createWorkspace();
    const config = ws.writeConfig(workspaceConfig({ server: { port: 0 } }));
    const result = await runWarta(["run", "--once", "--config", config], { cwd: ws.root });
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain("serving");
  });

  it("does not serve when server.enabled is false", async () => {
    ws = createWorkspace();
    const config = ws.writeConfig(
      workspaceConfig({
        schedule: { collect: "0 0 1 1 *", publish: "0 0 1 1 *", digest: "0 0 1 1 *" },
        server: { enabled: false },
      }),
    );
    const child = spawn(
      process.execPath,
      [path.join(repoRoot, "bin", "warta.js"), "run", "--config", config],
      { cwd: ws.root, env: { PATH: process.env.PATH }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    while (!stdout.includes("next at") && child.exitCode === null) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(stdout).not.toContain("serving");
  });
});
