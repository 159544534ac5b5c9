import path from "node:path";
import { sql } from "kysely";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../src/store/index.js";
import { openDatabase } from "../../src/store/index.js";
import { runWarta } from "../helpers/cli.js";
import {
  dropPostgresStore,
  ensureTestDatabase,
  newPostgresStore,
  storeTables,
  testEngine,
} from "../helpers/store.js";
import { createWorkspace, type Workspace, workspaceConfig } from "../helpers/workspace.js";

/** Every row of a table in a fixed order, values as JSON would give them. */
async function dump(db: Db, table: string): Promise<unknown[]> {
  const { rows } = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(
    db,
  );
  const normal = rows.map((row) =>
    Object.fromEntries(Object.entries(row).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
  );
  return normal
    .map((row) => JSON.stringify(row))
    .sort()
    .map((text) => JSON.parse(text));
}

/** The tables of a store that hold warta's data (not the migrator's). */
async function dataTables(spec: string): Promise<string[]> {
  return ((await storeTables(spec)) ?? []).filter((name) => !name.startsWith("kysely_"));
}

/**
 * `warta store copy` moves a store to the other engine: in the sqlite run from an SQLite file
 * into PostgreSQL, in the postgres run from PostgreSQL into an SQLite file.
 */
describe("warta store copy", () => {
  let ws: Workspace | undefined;
  const dropAfter: string[] = [];
  beforeAll(async () => {
    await ensureTestDatabase();
  });
  afterEach(async () => {
    ws?.remove();
    ws = undefined;
    for (const spec of dropAfter.splice(0)) await dropPostgresStore(spec);
  });

  /** A store filled by a real run: articles, subscribers, an edition sent, jobs, files. */
  async function filledWorkspace(): Promise<{ ws: Workspace; config: string }> {
    const workspace = createWorkspace({ withSamples: true });
    ws = workspace;
    const config = workspace.writeConfig(
      workspaceConfig({ newsletter: { subscribers_file: "../subscribers.csv" } }),
    );
    const run = await runWarta(["run", "--once", "--config", config], { cwd: workspace.root });
    expect(run.code, run.stderr).toBe(0);
    return { ws: workspace, config };
  }

  function otherEngineStore(workspace: Workspace): string {
    if (testEngine === "postgres") return path.join(workspace.root, "moved", "warta.sqlite");
    const spec = newPostgresStore("copy");
    dropAfter.push(spec);
    return spec;
  }

  it("copies every row, keeps the numbers, and the new store carries on where the old one stopped", async () => {
    const { ws: workspace, config } = await filledWorkspace();
    const source = await workspace.openStore();
    const deletedId = await (async () => {
      // The newest subscriber leaves: its number must not be handed out again after the move.
      const newest = await source
        .selectFrom("subscribers")
        .select("id")
        .orderBy("id", "desc")
        .limit(1)
        .executeTakeFirstOrThrow();
      await source.deleteFrom("subscribers").where("id", "=", newest.id).execute();
      return newest.id;
    })();
    const tables = await dataTables(workspace.store);
    const before = new Map<string, unknown[]>();
    for (const table of tables) before.set(table, await dump(source, table));
    await source.destroy();
    // The run filled what a store holds in use.
    for (const table of ["articles", "subscribers", "editions", "deliveries", "job_state"]) {
      expect(before.get(table)?.length, table).toBeGreaterThan(0);
    }

    const to = otherEngineStore(workspace);
    const copy = await runWarta(["store", "copy", "--to", to, "--config", config], {
      cwd: workspace.root,
    });
    expect(copy.code, copy.stderr).toBe(0);
    expect(copy.stdout).toMatch(/store copy: \d+ row\(s\) copied/);

    expect(await dataTables(to)).toEqual(tables);
    const target = await openDatabase(to);
    try {
      for (const table of tables) {
        expect(await dump(target, table), table).toEqual(before.get(table));
      }
      // A subscriber added to the new store gets a number above every one the old store gave.
      const added = await target
        .insertInto("subscribers")
        .values({
          email: "baru@example.org",
          name: null,
          language: "id",
          timezone: "Asia/Jakarta",
          status: "active",
          created_at: new Date().toISOString(),
          updated_at: new Date().toISOString(),
          confirmed_at: null,
          unsubscribed_at: null,
          consent_ip: null,
          covered_until: null,
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      expect(added.id).toBeGreaterThan(deletedId);
    } finally {
      await target.destroy();
    }

    // warta carries on from the new store: nothing already sent goes out again.
    const moved = workspace.writeConfig(
      workspaceConfig({ store: to, newsletter: { subscribers_file: "../subscribers.csv" } }),
    );
    const again = await runWarta(["send", "--config", moved], { cwd: workspace.root });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/send: 0 message\(s\) delivered/);
  });

  it("refuses a target that holds rows, names the table, and leaves it as it was", async () => {
    const { ws: workspace, config } = await filledWorkspace();
    const to = otherEngineStore(workspace);
    const first = await runWarta(["store", "copy", "--to", to, "--config", config], {
      cwd: workspace.root,
    });
    expect(first.code, first.stderr).toBe(0);
    const target = await openDatabase(to);
    const articles = async () =>
      Number(
        (
          await target
            .selectFrom("articles")
            .select((eb) => eb.fn.countAll().as("n"))
            .executeTakeFirstOrThrow()
        ).n,
      );
    try {
      const held = await articles();
      expect(held).toBeGreaterThan(0);
      const second = await runWarta(["store", "copy", "--to", to, "--config", config], {
        cwd: workspace.root,
      });
      expect(second.code).not.toBe(0);
      expect(second.stderr).toMatch(/target already holds rows in articles/);
      expect(await articles()).toBe(held);
    } finally {
      await target.destroy();
    }
  });

  it("refuses to copy the store onto itself", async () => {
    const { ws: workspace, config } = await filledWorkspace();
    const result = await runWarta(["store", "copy", "--to", workspace.store, "--config", config], {
      cwd: workspace.root,
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/--to names the configured store itself/);
  });
});
