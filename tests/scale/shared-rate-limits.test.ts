import { readdirSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type Db, SqlRateLimits } from "../../src/store/index.js";
import { type RunningWarta, spawnWarta } from "../helpers/cli.js";
import { openTestStore } from "../helpers/store.js";
import { createWorkspace, type Workspace, workspaceConfig } from "../helpers/workspace.js";

const SECRET = "scale-tests-secret-0123456789-abcdefghij";

/** The URL a running `warta serve` printed. */
async function servingUrl(warta: RunningWarta): Promise<string> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const url = /^warta: serving .+ at (http:\/\/\S+)$/m.exec(warta.stdout)?.[1];
    if (url) return url;
    if (warta.child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`warta serve did not start: ${warta.stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The messages written to a workspace's outbox so far. */
function outbox(ws: Workspace): string[] {
  try {
    return readdirSync(path.join(ws.root, "outbox")).filter((name) => name.endsWith(".eml"));
  } catch {
    return [];
  }
}

describe("subscribe limits shared by several `warta serve` on one store", () => {
  const workspaces: Workspace[] = [];
  const serving: RunningWarta[] = [];
  afterEach(async () => {
    for (const warta of serving.splice(0)) {
      if (warta.child.exitCode === null) {
        warta.child.kill("SIGTERM");
        await warta.exited;
      }
    }
    for (const ws of workspaces.splice(0)) ws.remove();
  });

  it("refuses the request past the per-client limit counted across both, and sends no email past the per-address limit", async () => {
    const first = createWorkspace();
    const second = createWorkspace();
    workspaces.push(first, second);
    const settings = {
      server: { port: 0, subscribe_per_ip: 4, subscribe_per_address: 2 },
      log: { level: "warn" },
    };
    first.writeConfig(workspaceConfig(settings));
    second.writeConfig(workspaceConfig({ ...settings, store: first.store }));
    for (const ws of workspaces) {
      serving.push(
        spawnWarta(["serve", "--config", ws.configFile], {
          cwd: ws.root,
          env: { WARTA_SECRET: SECRET },
        }),
      );
    }
    const [a, b] = [await servingUrl(serving[0]!), await servingUrl(serving[1]!)];
    const subscribe = (base: string, email: string) =>
      fetch(new URL("subscribe?lang=en", base), {
        method: "POST",
        body: new URLSearchParams({
          email,
          language: "en",
          frequency: "daily",
          timezone: "Asia/Jakarta",
        }),
      });

    // Alternating between the two instances, as a load balancer would.
    expect((await subscribe(a, "sama@example.org")).status).toBe(200);
    expect((await subscribe(b, "sama@example.org")).status).toBe(200);
    // The third request for one address (on either instance) is answered alike, but sends nothing.
    expect((await subscribe(a, "SAMA@example.org")).status).toBe(200);
    expect((await subscribe(b, "lain@example.org")).status).toBe(200);
    // The fifth request from this client: each instance has seen only two or three.
    const refusedByA = await subscribe(a, "ketiga@example.org");
    expect(refusedByA.status).toBe(429);
    expect(await refusedByA.text()).toContain("Too many requests");
    const refusedByB = await subscribe(b, "ketiga@example.org");
    expect(refusedByB.status).toBe(429);
    // One window for both: they tell the same wait, give or take the second between them.
    const waitA = Number(refusedByA.headers.get("retry-after"));
    const waitB = Number(refusedByB.headers.get("retry-after"));
    expect(waitA).toBeGreaterThan(3_500);
    expect(waitA).toBeLessThanOrEqual(3_600);
    expect(Math.abs(waitA - waitB)).toBeLessThanOrEqual(2);

    // Confirmation emails: two for the first address (one per instance), one for the other.
    const deadline = Date.now() + 20_000;
    while (outbox(first).length + outbox(second).length < 3 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(outbox(first)).toHaveLength(1);
    expect(outbox(second)).toHaveLength(2);

    const db = await first.openStore();
    try {
      const emails = await db.selectFrom("subscribers").select("email").orderBy("email").execute();
      expect(emails.map((row) => row.email)).toEqual(["lain@example.org", "sama@example.org"]);
    } finally {
      await db.destroy();
    }
  });
});

describe("SqlRateLimits", () => {
  let db: Db | undefined;
  afterEach(async () => {
    await db?.destroy();
    db = undefined;
  });

  it("counts hits in a window that starts at the first hit, and starts another once it ends", async () => {
    db = await openTestStore();
    const limits = new SqlRateLimits(db);
    const at = (seconds: number) => new Date(Date.UTC(2026, 10, 29, 6, 0, seconds));
    const ends = at(60).toISOString();
    const hit = async (key: string, seconds: number) => {
      const { hits, windowEnds } = await limits.hit(key, 60_000, at(seconds));
      return [hits, windowEnds.toISOString()];
    };
    expect(await hit("ip:a", 0)).toEqual([1, ends]);
    expect(await hit("ip:a", 30)).toEqual([2, ends]);
    expect(await hit("ip:b", 30)).toEqual([1, at(90).toISOString()]);
    expect(await hit("ip:a", 59)).toEqual([3, ends]);
    expect(await hit("ip:a", 60)).toEqual([1, at(120).toISOString()]);
  });

  it("counts every one of many hits arriving at once", async () => {
    db = await openTestStore();
    const limits = new SqlRateLimits(db);
    const now = new Date();
    const counts = await Promise.all(
      Array.from({ length: 25 }, () => limits.hit("ip:busy", 3_600_000, now)),
    );
    expect(counts.map((count) => count.hits).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 25 }, (_, i) => i + 1),
    );
  });
});
