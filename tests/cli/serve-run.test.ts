import { afterEach, describe, expect, it } from "vitest";
import { runWarta, spawnWarta } from "../helpers/cli.js";
import { createWorkspace, type Workspace, workspaceConfig } from "../helpers/workspace.js";

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
    const warta = spawnWarta(["run", "--config", config], { cwd: ws.root });
    const { child, exited } = warta;
    try {
      const deadline = Date.now() + 45_000;
      let url: string | undefined;
      let feed = "";
      // The first publish may run before the first collect: wait for the article to appear.
      while (Date.now() < deadline && !feed.includes("Pasar Malam")) {
        url ??= /^warta: serving .+ at (http:\/\/\S+)$/m.exec(warta.stdout)?.[1];
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
    expect(warta.stderr).toBe("");
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
    const warta = spawnWarta(["run", "--config", config], { cwd: ws.root });
    const { child, exited } = warta;
    while (!warta.stdout.includes("next at") && child.exitCode === null) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(warta.stdout).not.toContain("serving");
  });
});
