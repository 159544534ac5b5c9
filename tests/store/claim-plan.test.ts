import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import SQLite from "better-sqlite3";
import { sql } from "kysely";
import { afterEach, describe, expect, it } from "vitest";
import { dueChoice } from "../../src/store/deliveries.js";
import { openDatabase } from "../../src/store/index.js";

let dir: string | undefined;

afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/** The plan SQLite chooses for a claim's row choice, one line per step. */
function plan(file: string, text: string, parameters: readonly unknown[]): string[] {
  const sqlite = new SQLite(file, { readonly: true });
  try {
    return sqlite
      .prepare(`explain query plan ${text}`)
      .all(...parameters)
      .map((row) => (row as { detail: string }).detail);
  } finally {
    sqlite.close();
  }
}

describe("claiming on SQLite", () => {
  it("walks the pending rows in key order whatever the statistics say", async () => {
    dir = mkdtempSync(path.join(tmpdir(), "warta-claim-plan-"));
    const file = path.join(dir, "warta.sqlite");
    const db = await openDatabase(file);
    const stamp = "2024-05-04T03:00:00.000Z";
    await sql`insert into editions (subject, html, text, created_at, period_end)
      values ('Warta', '<p>x</p>', 'x', ${stamp}, ${stamp})`.execute(db);
    await sql`with recursive n(i) as (select 1 union all select i + 1 from n where i < 500)
      insert into subscribers (email, status, language, timezone, frequency, created_at, updated_at)
      select 'pembaca' || i || '@example.org', 'active', 'id', 'Asia/Jakarta', 'daily', ${stamp}, ${stamp}
      from n`.execute(db);
    await sql`insert into deliveries (edition_id, subscriber_id, status, message_id, queued_at)
      select 1, id, case when id % 2 = 0 then 'sent' else 'queued' end, '<m.' || id || '@x>', ${stamp}
      from subscribers`.execute(db);
    const choice = dueChoice("sqlite", stamp, sql`200`).compile(db);
    await db.destroy();

    const states: [string, (sqlite: SQLite.Database) => void][] = [
      ["no statistics", () => {}],
      ["full statistics", (sqlite) => sqlite.exec("analyze")],
      [
        // What an ANALYZE limited to 1,000 rows per index wrote for a queue of 200,000: every
        // status value taken for about a thousand rows, which made the planner read the due
        // rows through deliveries_by_status and sort them all.
        "sampled statistics",
        (sqlite) => {
          sqlite.exec("analyze");
          const set = sqlite.prepare("update sqlite_stat1 set stat = ? where idx = ?");
          set.run("200000 1001 1001", "deliveries_by_status");
          set.run("200000 1001 1001", "deliveries_due");
          set.run("200000 1001 1", "deliveries_pending");
          set.run("200000 1001 1", "sqlite_autoindex_deliveries_1");
          set.run("200000 1001 1001 1001 1", "subscribers_digest_group");
        },
      ],
    ];
    for (const [state, prepare] of states) {
      const sqlite = new SQLite(file);
      prepare(sqlite);
      sqlite.close();
      const steps = plan(file, choice.sql, choice.parameters);
      expect(steps[0], state).toMatch(/^SCAN d USING INDEX deliveries_pending\b/);
      expect(steps.join("\n"), state).not.toMatch(/TEMP B-TREE/);
      expect(steps.slice(1).join("\n"), state).toMatch(/SEARCH s USING INTEGER PRIMARY KEY/);
    }

    // And it chooses the right rows: due ones, in key order, as many as asked.
    const sqlite = new SQLite(file, { readonly: true });
    const rows = sqlite.prepare(choice.sql).all(...choice.parameters) as {
      subscriber_id: number;
    }[];
    sqlite.close();
    expect(rows).toHaveLength(200);
    expect(rows.map((row) => row.subscriber_id)).toEqual(
      Array.from({ length: 200 }, (_, index) => 2 * index + 1),
    );
  });
});
