import { afterEach, describe, expect, it } from "vitest";
import { runWarta } from "../helpers/cli.js";
import { createWorkspace, type Workspace, workspaceConfig } from "../helpers/workspace.js";

interface StatusJson {
  editions: {
    id: number;
    created: string;
    subject: string;
    frequency: string;
    timezone: string;
    language: string;
    segment: string[];
    deliveries: Record<string, number>;
    paused: { at: string; reason: string } | null;
  }[];
  jobs: {
    job: string;
    runs: number;
    failures: number;
    lastSuccess: string | null;
    running: boolean;
  }[];
  subscribers: Record<string, number>;
}

describe("warta status", () => {
  let ws: Workspace | undefined;
  afterEach(() => ws?.remove());

  it("reports the editions, deliveries, jobs and subscribers the store holds after a run", async () => {
    ws = createWorkspace({ withSamples: true });
    const config = ws.writeConfig(
      workspaceConfig({ newsletter: { subscribers_file: "../subscribers.csv" } }),
    );
    const run = await runWarta(["run", "--once", "--config", config], { cwd: ws.root });
    expect(run.code, run.stderr).toBe(0);
    const announced = [...run.stdout.matchAll(/^digest: edition (\d+) "([^"]+)"/gm)];
    expect(announced.length).toBeGreaterThan(0);

    const json = await runWarta(["status", "--json", "--config", config], { cwd: ws.root });
    expect(json.code, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout) as StatusJson;

    // The same numbers, read straight from the store.
    const db = await ws.openStore();
    try {
      const editions = await db
        .selectFrom("editions")
        .select(["id", "subject", "frequency", "timezone", "language"])
        .orderBy("id", "desc")
        .execute();
      expect(
        report.editions.map((e) => [e.id, e.subject, e.frequency, e.timezone, e.language]),
      ).toEqual(editions.map((e) => [e.id, e.subject, e.frequency, e.timezone, e.language]));
      expect(report.editions.map((e) => [e.id, e.subject]).sort()).toEqual(
        announced.map((m) => [Number(m[1]), m[2]]).sort(),
      );
      for (const edition of report.editions) {
        const rows = await db
          .selectFrom("deliveries")
          .select((eb) => ["status", eb.fn.countAll<number>().as("n")])
          .where("edition_id", "=", edition.id)
          .groupBy("status")
          .execute();
        const expected = { queued: 0, sending: 0, sent: 0, deferred: 0, failed: 0, bounced: 0 };
        for (const row of rows) expected[row.status as keyof typeof expected] = row.n;
        expect(edition.deliveries).toEqual(expected);
        expect(edition.deliveries.sent).toBeGreaterThan(0);
        expect(edition.paused).toBeNull();
      }
      const { n: active } = await db
        .selectFrom("subscribers")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where("status", "=", "active")
        .executeTakeFirstOrThrow();
      expect(report.subscribers).toMatchObject({
        active,
        bounced: 0,
        complained: 0,
        total: active,
      });
    } finally {
      await db.destroy();
    }
    for (const job of ["collect", "publish", "digest"]) {
      expect(report.jobs.find((j) => j.job === job)).toMatchObject({
        runs: 1,
        failures: 0,
        running: false,
        lastSuccess: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      });
    }

    const text = await runWarta(["status", "--config", config], { cwd: ws.root });
    expect(text.code).toBe(0);
    const newest = report.editions[0]!;
    expect(text.stdout).toContain(`editions (newest ${report.editions.length}):`);
    expect(text.stdout).toContain(`#${newest.id} `);
    expect(text.stdout).toContain(`"${newest.subject}"`);
    expect(text.stdout).toMatch(
      /queued 0 {2}sending 0 {2}sent 1 {2}deferred 0 {2}failed 0 {2}bounced 0/,
    );
    expect(text.stdout).toMatch(/^ {2}collect +runs 1 {2}failures 0/m);
    expect(text.stdout).toMatch(/^subscribers: 3 \(.*active 3/m);
  });

  it("says so on a fresh store", async () => {
    ws = createWorkspace();
    const config = ws.writeConfig(workspaceConfig());
    const text = await runWarta(["status", "--config", config], { cwd: ws.root });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain("editions: none yet");
    expect(text.stdout).toMatch(/^ {2}digest +runs 0 {2}failures 0/m);
    expect(text.stdout).toContain("subscribers: 0");
  });
});
