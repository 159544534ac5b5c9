import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  createWorkspace,
  repoRoot,
  type Workspace,
  workspaceConfig,
} from "../helpers/workspace.js";

describe("warta run", () => {
  let ws: Workspace | undefined;
  afterEach(() => ws?.remove());

  it("fires the jobs on their schedule, keeps running, and exits 0 on SIGTERM", async () => {
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
      {
        cwd: ws.root,
        env: { PATH: process.env.PATH },
        stdio: ["ignore", "pipe", "pipe"],
      },
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
    const deadline = Date.now() + 45_000;
    // Twice each: the process stays up between runs.
    while (
      ((stdout.match(/^collect: /gm) ?? []).length < 2 ||
        (stdout.match(/^feeds: /gm) ?? []).length < 2) &&
      Date.now() < deadline
    ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    child.kill("SIGTERM");
    const code = await exited;
    expect(stderr).toBe("");
    expect(stdout).toContain("digest (0 6 1 1 *): next at");
    expect(stdout).toMatch(/^collect: 1 documents from 1 source\(s\): 1 new/m);
    expect(stdout).toMatch(
      /^collect: 1 documents from 1 source\(s\): 0 new, 0 updated, 1 unchanged/m,
    );
    expect(stdout).not.toMatch(/^digest: /m);
    expect(stdout).toContain("SIGTERM received");
    expect(code).toBe(0);
    expect(existsSync(path.join(ws.root, "public", "feeds", "rss.xml"))).toBe(true);
  });
});
