import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { simpleParser } from "mailparser";
import { afterEach, describe, expect, it } from "vitest";
import { hardBounce, notAReport } from "../bounces/harness.js";
import { runWarta } from "../helpers/cli.js";
import { createWorkspace, type Workspace, workspaceConfig } from "../helpers/workspace.js";

/** A Maildir (new/, cur/, tmp/) below the workspace, holding the given messages in new/. */
function maildir(root: string, name: string, messages: Record<string, string>): string {
  const folder = path.join(root, name);
  for (const sub of ["new", "cur", "tmp"]) mkdirSync(path.join(folder, sub), { recursive: true });
  for (const [file, content] of Object.entries(messages)) {
    writeFileSync(path.join(folder, "new", file), content);
  }
  return folder;
}

describe("warta bounces", () => {
  let ws: Workspace | undefined;
  afterEach(() => ws?.remove());

  it("applies the bounces of sent digests from the Maildir once, then stops mailing the reader", async () => {
    ws = createWorkspace({ withSamples: true });
    const config = ws.writeConfig(
      workspaceConfig({
        newsletter: { subscribers_file: "../subscribers.csv" },
        mail: { bounce_limit: 1, bounces: { maildir: "../bounces" } },
      }),
    );
    const run = await runWarta(["run", "--once", "--config", config], { cwd: ws.root });
    expect(run.code, run.stderr).toBe(0);

    // A bounce of a message that really went out: its Message-ID, its recipient.
    const outbox = path.join(ws.root, "outbox");
    const sent = await simpleParser(readFileSync(path.join(outbox, readdirSync(outbox)[0]!)));
    const recipient = Array.isArray(sent.to) ? "" : sent.to!.value[0]!.address!;
    const [, edition, subscriber] = /^<warta\.e(\d+)\.s(\d+)@/.exec(sent.messageId ?? "")!;
    const bounce = hardBounce(Number(edition), Number(subscriber), recipient).replace(
      /@news\.example\.org>/,
      `@${/@([^>]+)>/.exec(sent.messageId!)![1]}>`,
    );
    const folder = maildir(ws.root, "bounces", {
      "1714863604.M1.mx": bounce,
      "1714863605.M2.mx": notAReport(),
    });

    const first = await runWarta(["bounces", "--config", config], { cwd: ws.root });
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    expect(first.stdout).toContain(
      "bounces: 2 message(s) in bounces/new/: 1 report(s) with 1 change(s), 1 not a report, 0 unreadable",
    );
    expect(first.stdout).toContain(
      `1714863604.M1.mx: hard 5.1.1 edition ${edition} subscriber ${subscriber}: applied, 1 hard bounce(s), subscriber bounced`,
    );
    expect(first.stdout).toContain("1714863605.M2.mx: not a delivery report, moved to cur/");
    expect(readdirSync(path.join(folder, "new"))).toEqual([]);
    expect(readdirSync(path.join(folder, "cur")).sort()).toEqual([
      "1714863604.M1.mx:2,S",
      "1714863605.M2.mx:2,S",
    ]);

    const db = await ws.openStore();
    try {
      expect(
        await db
          .selectFrom("deliveries")
          .select(["status", "last_error"])
          .where("edition_id", "=", Number(edition))
          .where("subscriber_id", "=", Number(subscriber))
          .executeTakeFirst(),
      ).toEqual({ status: "bounced", last_error: expect.stringContaining("User unknown") });
      expect(
        await db
          .selectFrom("subscribers")
          .select(["status", "hard_bounces"])
          .where("id", "=", Number(subscriber))
          .executeTakeFirst(),
      ).toEqual({ status: "bounced", hard_bounces: 1 });
    } finally {
      await db.destroy();
    }

    // The same report again, given by --maildir: counted once; the Maildir is left as is.
    const other = maildir(ws.root, "more", { "1714863606.M3.mx": bounce });
    const again = await runWarta(["bounces", "--maildir", other, "--config", config], {
      cwd: ws.root,
    });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("1 report(s) with 0 change(s)");
    expect(again.stdout).toContain("already applied");

    const status = await runWarta(["status", "--json", "--config", config], { cwd: ws.root });
    const report = JSON.parse(status.stdout) as { subscribers: Record<string, number> };
    expect(report.subscribers).toMatchObject({ bounced: 1, active: 2 });

    const empty = await runWarta(["bounces", "--config", config], { cwd: ws.root });
    expect(empty.stdout).toContain("bounces: 0 message(s)");
  });

  it("asks for a Maildir when none is configured", async () => {
    ws = createWorkspace();
    const config = ws.writeConfig(workspaceConfig());
    const result = await runWarta(["bounces", "--config", config], { cwd: ws.root });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("mail.bounces.maildir");
  });
});
