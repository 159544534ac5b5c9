import { afterEach, describe, expect, it } from "vitest";
import { digestMessageId } from "../../src/domain/digest.js";
import { type RunningWarta, spawnWarta } from "../helpers/cli.js";
import { deliveryCounts, queueEdition } from "../helpers/queue.js";
import { type SmtpSink, startSmtpSink } from "../helpers/smtp.js";
import { testEngine } from "../helpers/store.js";
import { createWorkspace, type Workspace, workspaceConfig } from "../helpers/workspace.js";

/**
 * The edition's size: 20,000 recipients on PostgreSQL, the engine for many workers on many
 * machines; a quarter of that on SQLite, where the workers share one machine's file and the same
 * claims are proved with less time.
 */
const RECIPIENTS = testEngine === "postgres" ? 20_000 : 5_000;
const UNSUBSCRIBED = 25;
const WORKERS = 4;
/** mail.pool.max_connections × one server: the most messages one worker has in flight. */
const IN_FLIGHT = 2;
const HOST = "news.example.org";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => Promise<boolean> | boolean, what: string, ms = 240_000) {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

describe("warta worker: many senders on one store", () => {
  let ws: Workspace | undefined;
  let sink: SmtpSink | undefined;
  const workers: RunningWarta[] = [];
  afterEach(async () => {
    for (const worker of workers) worker.child.kill("SIGKILL");
    await Promise.all(workers.map((worker) => worker.exited));
    workers.length = 0;
    ws?.remove();
    await sink?.close();
  });

  it(`delivers a ${RECIPIENTS}-recipient edition once per recipient with four workers, one killed midway`, {
    timeout: 600_000,
  }, async () => {
    sink = await startSmtpSink({ parse: false });
    ws = createWorkspace();
    await queueEdition(ws, RECIPIENTS, UNSUBSCRIBED);
    const config = ws.writeConfig(
      workspaceConfig({
        mail: {
          from: "Warta Uji <redaksi@news.example.org>",
          claim_seconds: 3,
          batch_size: 50,
          pool: { max_connections: IN_FLIGHT },
        },
        log: { level: "error" },
      }),
    );
    const options = { cwd: ws.root, env: { WARTA_SMTP_URL: sink.url } };
    for (let i = 0; i < WORKERS; i += 1) {
      workers.push(spawnWarta(["worker", "--poll", "0.5", "--config", config], options));
    }
    // Kill one worker (without warning: its claims are left behind) once a quarter is out
    // and it has sent some of it.
    const victim = workers[1]!;
    await until(() => sink!.messages.length >= RECIPIENTS / 4, "a quarter of the messages");
    victim.child.kill("SIGKILL");
    expect(await victim.exited).not.toBe(0);
    const atKill = sink.messages.length;
    expect(atKill).toBeLessThan(RECIPIENTS);

    // The others take over its rows once its claims run out, and finish the edition.
    await until(
      async () => ((await deliveryCounts(ws!)).sent ?? 0) === RECIPIENTS,
      "every message",
    );
    const survivors = workers.filter((worker) => worker !== victim);
    for (const worker of survivors) worker.child.kill("SIGTERM");
    const codes = await Promise.all(survivors.map((worker) => worker.exited));
    expect(codes).toEqual([0, 0, 0]);

    // Each surviving worker took its share of the queue.
    const sentBy = survivors.map((worker) => {
      expect(worker.stderr).toBe("");
      const match = /stopped; (\d+) sent/.exec(worker.stdout);
      expect(match, worker.stdout).not.toBeNull();
      return Number(match![1]);
    });
    for (const sent of sentBy) expect(sent).toBeGreaterThan(0);

    expect(await deliveryCounts(ws)).toEqual({ sent: RECIPIENTS, queued: UNSUBSCRIBED });
    const received = new Map<string, string[]>();
    for (const message of sink.messages) {
      for (const to of message.envelopeTo) {
        received.set(to, [...(received.get(to) ?? []), message.messageId]);
      }
    }
    expect(received.size).toBe(RECIPIENTS);
    let duplicates = 0;
    for (let index = 1; index <= RECIPIENTS; index += 1) {
      const ids = received.get(`pembaca${index}@example.org`);
      expect(ids, `pembaca${index}`).toBeDefined();
      expect(new Set(ids)).toEqual(new Set([digestMessageId(1, index, HOST)]));
      duplicates += ids!.length - 1;
    }
    // Only what the killed worker had on the wire can have gone out twice; the live workers
    // never send a row another holds.
    expect(duplicates).toBeLessThanOrEqual(IN_FLIGHT);
    expect(sink.messages).toHaveLength(RECIPIENTS + duplicates);
    // The survivors' own counts add up with what the killed one sent before it died.
    const survivorsSent = sentBy.reduce((a, b) => a + b, 0);
    expect(survivorsSent).toBeLessThanOrEqual(RECIPIENTS);
    expect(survivorsSent).toBeGreaterThanOrEqual(RECIPIENTS - atKill);
  });
});
