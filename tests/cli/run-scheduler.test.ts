import { existsSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { spawnWarta } from "../helpers/cli.js";
import { createWorkspace, type Workspace, workspaceConfig } from "../helpers/workspace.js";

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
    const warta = spawnWarta(["run", "--config", config], { cwd: ws.root });
    const { child, exited } = warta;
    const deadline = Date.now() + 45_000;
    // Twice each: the process stays up between runs.
    while (
      ((warta.stdout.match(/^collect: /gm) ?? []).length < 2 ||
        (warta.stdout.match(/^feeds: /gm) ?? []).length < 2) &&
      Date.now() < deadline
    ) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    child.kill("SIGTERM");
    const code = await exited;
    expect(warta.stderr).toBe("");
    expect(warta.stdout).toContain("digest (0 6 1 1 *): next at");
    expect(warta.stdout).toMatch(/^collect: 1 documents from 1 source\(s\): 1 new/m);
    expect(warta.stdout).toMatch(
      /^collect: 1 documents from 1 source\(s\): 0 new, 0 updated, 1 unchanged/m,
    );
    expect(warta.stdout).not.toMatch(/^digest: /m);
    expect(warta.stdout).toContain("SIGTERM received");
    expect(code).toBe(0);
    expect(existsSync(path.join(ws.root, "public", "feeds", "rss.xml"))).toBe(true);
  });
});
