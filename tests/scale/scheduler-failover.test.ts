import { afterEach, describe, expect, it } from "vitest";
import { type RunningWarta, spawnWarta } from "../helpers/cli.js";
import { createWorkspace, type Workspace, workspaceConfig } from "../helpers/workspace.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean, what: string, ms = 60_000) {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** Scheduled collect runs a `warta run` process has reported so far. */
const collects = (warta: RunningWarta) => (warta.stdout.match(/^collect: /gm) ?? []).length;

describe("one scheduler among many `warta run`", () => {
  let ws: Workspace | undefined;
  const processes: RunningWarta[] = [];
  afterEach(async () => {
    for (const warta of processes) warta.child.kill("SIGKILL");
    await Promise.all(processes.map((warta) => warta.exited));
    processes.length = 0;
    ws?.remove();
  });

  async function leader(): Promise<{ holder: string | null; expires: string | null }> {
    const db = await ws!.openStore();
    try {
      const row = await db
        .selectFrom("job_state")
        .select(["holder", "lease_expires_at"])
        .where("job", "=", "scheduler")
        .executeTakeFirst();
      return { holder: row?.holder ?? null, expires: row?.lease_expires_at ?? null };
    } finally {
      await db.destroy();
    }
  }

  it("fires each job in one process only, and another takes over when that one dies", async () => {
    ws = createWorkspace();
    ws.writeArticle("a.md", "---\ntitle: Pasar Malam\ndate: 2024-05-04 19:00\n---\n\nRamai.\n");
    const config = ws.writeConfig(
      workspaceConfig({
        // Collect every second; the other jobs never come due during the test.
        schedule: {
          collect: "* * * * * *",
          publish: "0 0 1 1 *",
          digest: "0 0 1 1 *",
          send: "0 0 1 1 *",
          failover_seconds: 6,
        },
        server: { enabled: false },
        log: { level: "error" },
      }),
    );
    const start = () => {
      const warta = spawnWarta(["run", "--config", config], { cwd: ws!.root });
      processes.push(warta);
      return warta;
    };
    const first = start();
    await until(() => collects(first) >= 2, "the first process to collect");
    const second = start();
    await until(() => second.stdout.includes("running in"), "the second process to start");
    // Both are up: the jobs fire in the first only.
    const firstBefore = collects(first);
    await until(() => collects(first) >= firstBefore + 3, "more collects in the first process");
    expect(collects(second)).toBe(0);
    expect((await leader()).holder).toContain(`:${first.child.pid}:`);

    // The leader dies without a word; the second takes the schedule over once the lease ends.
    first.child.kill("SIGKILL");
    await first.exited;
    await until(() => collects(second) >= 2, "the second process to take over");
    expect((await leader()).holder).toContain(`:${second.child.pid}:`);

    // A third process started now waits as the second did.
    const third = start();
    await until(() => third.stdout.includes("running in"), "the third process to start");
    const secondBefore = collects(second);
    await until(() => collects(second) >= secondBefore + 3, "more collects in the second");
    expect(collects(third)).toBe(0);

    // A leader stopped with SIGTERM hands over at once: its lease ends when it exits.
    second.child.kill("SIGTERM");
    expect(await second.exited).toBe(0);
    const handedOver = await leader();
    expect(handedOver.holder).toContain(`:${second.child.pid}:`);
    expect(new Date(handedOver.expires ?? 0).getTime()).toBeLessThanOrEqual(Date.now());
    await until(() => collects(third) >= 2, "the third process to take over");
    expect((await leader()).holder).toContain(`:${third.child.pid}:`);
    third.child.kill("SIGTERM");
    expect(await third.exited).toBe(0);
    for (const warta of [first, second, third]) expect(warta.stderr).toBe("");
  }, 180_000);
});
