import { afterEach, describe, expect, it } from "vitest";
import { digestMessageId } from "../../src/domain/digest.js";
import { runWarta, spawnWarta } from "../helpers/cli.js";
import { deliveryCounts, queueEdition } from "../helpers/queue.js";
import { type SmtpSink, startSmtpSink } from "../helpers/smtp.js";
import { createWorkspace, type Workspace, workspaceConfig } from "../helpers/workspace.js";

const RECIPIENTS = 2_000;
const UNSUBSCRIBED = 10;
const KILLS = 12;
/** mail.pool.max_connections × one server: the most messages one sender has in flight. */
const IN_FLIGHT = 2;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("crash safety of sending", () => {
  let ws: Workspace | undefined;
  let sink: SmtpSink | undefined;
  afterEach(async () => {
    ws?.remove();
    await sink?.close();
  });

  // Some 35 `warta send` processes, each opening the store: 40 s alone on either engine, more
  // on a busy machine.
  it("loses no message and sends at most the in-flight ones twice when killed again and again", {
    timeout: 180_000,
  }, async () => {
    // A small random delay per message, so that kills land while messages are on the wire.
    sink = await startSmtpSink({ parse: false, delayMs: () => Math.floor(Math.random() * 6) });
    ws = createWorkspace();
    await queueEdition(ws, RECIPIENTS, UNSUBSCRIBED);
    const config = ws.writeConfig(
      workspaceConfig({
        mail: {
          from: "Warta Uji <redaksi@news.example.org>",
          claim_seconds: 2,
          batch_size: 25,
          pool: { max_connections: IN_FLIGHT },
        },
        log: { level: "error" },
      }),
    );
    const options = { cwd: ws.root, env: { WARTA_SMTP_URL: sink.url } };

    // Two senders at a time, sharing the queue through their claims; each is killed at a
    // random moment once messages are flowing.
    let kills = 0;
    for (let round = 0; round < KILLS && kills < KILLS; round += 1) {
      const before = sink.messages.length;
      const senders = [0, 1].map(() => {
        const running = spawnWarta(["send", "--config", config], options);
        const state = { running, exited: false };
        void running.exited.then(() => {
          state.exited = true;
        });
        return state;
      });
      while (senders.some((s) => !s.exited) && sink.messages.length === before) await sleep(5);
      for (const sender of senders) {
        await sleep(Math.floor(Math.random() * 150));
        if (sender.exited) continue;
        sender.running.child.kill("SIGKILL");
        await sender.running.exited;
        kills += 1;
      }
      if (senders.every((s) => s.exited) && sink.messages.length === before) break;
    }
    expect(kills).toBeGreaterThanOrEqual(10);
    const partial = await deliveryCounts(ws);
    expect(partial.sent ?? 0).toBeLessThan(RECIPIENTS);

    // Then runs that finish: the claims of the killed senders run out after two seconds.
    for (let run = 0; run < 10; run += 1) {
      const done = await runWarta(["send", "--config", config], options);
      // No crash and no store error, whichever engine: main() prints an unexpected error as
      // "warta: <message>", a store's own as "store: <message>".
      expect(done.stderr).not.toMatch(/^(warta|store): |TypeError|SqliteError|DatabaseError/m);
      const counts = await deliveryCounts(ws);
      if ((counts.sent ?? 0) === RECIPIENTS) break;
      await sleep(2_100);
    }

    const counts = await deliveryCounts(ws);
    // Every active reader's row is sent; the unsubscribed ones are left alone.
    expect(counts).toEqual({ sent: RECIPIENTS, queued: UNSUBSCRIBED });
    const received = new Map<string, { count: number; messageIds: Set<string> }>();
    for (const message of sink.messages) {
      for (const to of message.envelopeTo) {
        const entry = received.get(to) ?? { count: 0, messageIds: new Set<string>() };
        entry.count += 1;
        entry.messageIds.add(message.messageId);
        received.set(to, entry);
      }
    }
    expect(received.size).toBe(RECIPIENTS);
    let duplicates = 0;
    for (let index = 1; index <= RECIPIENTS; index += 1) {
      const entry = received.get(`pembaca${index}@example.org`);
      expect(entry, `pembaca${index}`).toBeDefined();
      // A message sent twice carries the same Message-ID both times.
      expect(entry!.messageIds).toEqual(new Set([digestMessageId(1, index, "news.example.org")]));
      duplicates += entry!.count - 1;
    }
    expect(duplicates).toBeLessThanOrEqual(kills * IN_FLIGHT);
    expect(sink.messages).toHaveLength(RECIPIENTS + duplicates);
  });
});
