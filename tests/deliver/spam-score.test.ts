import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runWarta } from "../helpers/cli.js";
import { createWorkspace, type Workspace, workspaceConfig } from "../helpers/workspace.js";

const spamassassin = "/usr/bin/spamassassin";

/** SpamAssassin's score of a message with local rules only (no network tests). */
function spamScore(raw: string): { score: number; report: string } {
  if (!existsSync(spamassassin)) {
    throw new Error("spamassassin is missing: install it with `apt-get install spamassassin`");
  }
  const run = spawnSync(spamassassin, ["-L", "-t"], { input: raw, encoding: "utf8" });
  const status = /^X-Spam-Status: (?:Yes|No), score=(-?[\d.]+)/m.exec(run.stdout);
  if (!status) throw new Error(`spamassassin gave no score: ${run.stderr}`);
  const report = run.stdout.slice(run.stdout.indexOf("Content analysis details"));
  return { score: Number(status[1]), report };
}

describe("the digests warta sends", () => {
  let ws: Workspace | undefined;
  afterEach(() => ws?.remove());

  it("score far below SpamAssassin's threshold of 5 with its local rules", async () => {
    ws = createWorkspace({ withSamples: true });
    const config = ws.writeConfig(
      workspaceConfig({ newsletter: { subscribers_file: "../subscribers.csv" } }),
    );
    const run = await runWarta(["run", "--once", "--config", config], { cwd: ws.root });
    expect(run.code).toBe(0);
    const outbox = path.join(ws.root, "outbox");
    const messages = readdirSync(outbox).filter((name) => name.endsWith(".eml"));
    expect(messages.length).toBeGreaterThan(0);
    for (const name of messages) {
      const { score, report } = spamScore(readFileSync(path.join(outbox, name), "utf8"));
      // A digest that only just passes would be filtered by stricter providers.
      expect(score, `${name}\n${report}`).toBeLessThan(2);
    }
  });
});
