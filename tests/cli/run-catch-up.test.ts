import { readdirSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runWarta, spawnWarta } from "../helpers/cli.js";
import { createWorkspace, type Workspace, workspaceConfig } from "../helpers/workspace.js";

/** Waits until `condition` holds, polling; fails after 45 s. */
async function until(condition: () => boolean, what: string) {
  const deadline = Date.now() + 45_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("warta run after downtime", () => {
  let ws: Workspace | undefined;
  afterEach(() => ws?.remove());

  it("sends a digest whose hour passed while it was down once on start, and not again on the next start", async () => {
    ws = createWorkspace();
    ws.writeArticle(
      "a.md",
      "---\ntitle: Pasar Malam Ramai\ndate: 2024-05-04 19:00\n---\n\nRamai.\n",
    );
    // The send hour was an hour ago (UTC), within the grace period; the digest job itself is
    // scheduled once a year, so only the start-up catch-up can send it.
    const hour = (new Date().getUTCHours() + 23) % 24;
    const config = ws.writeConfig(
      workspaceConfig({
        newsletter: { send_hour: hour, grace_hours: 6 },
        schedule: {
          collect: "0 0 1 1 *",
          publish: "0 0 1 1 *",
          digest: "0 0 1 1 *",
          send: "0 0 1 1 *",
        },
        server: { enabled: false },
      }),
    );
    const env = {};
    await runWarta(["collect", "--config", config], { cwd: ws.root, env });
    // The article was collected before the send hour, then warta was down.
    const db = await ws.openStore();
    const before = new Date(Date.now() - 3 * 3_600_000).toISOString();
    await db.updateTable("articles").set({ first_seen_at: before }).execute();
    await db.destroy();
    const added = await runWarta(
      ["subscribers", "add", "budi@example.org", "--timezone", "UTC", "--config", config],
      { cwd: ws.root, env },
    );
    expect(added.code).toBe(0);
    const outbox = path.join(ws.root, "outbox");
    const messages = () => {
      try {
        return readdirSync(outbox).filter((f) => f.endsWith(".eml"));
      } catch {
        return [];
      }
    };

    for (const round of [1, 2]) {
      const warta = spawnWarta(["run", "--config", config], { cwd: ws.root, env });
      await until(() => warta.stdout.includes("stop with Ctrl-C"), "warta run to start");
      if (round === 1) {
        await until(() => /^send: 1 message/m.test(warta.stdout), "the catch-up digest");
        expect(warta.stdout).toMatch(/^digest: edition 1 .*\(daily, UTC, id, all categories\)/m);
      } else {
        // Give the catch-up time to run; it must find the slot already composed.
        await new Promise((resolve) => setTimeout(resolve, 3_000));
        expect(warta.stdout).not.toMatch(/^digest: edition/m);
      }
      warta.child.kill("SIGTERM");
      expect(await warta.exited).toBe(0);
      expect(warta.stderr).toBe("");
    }
    expect(messages()).toHaveLength(1);
  });
});
