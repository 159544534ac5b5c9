import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../../src/shared/errors.js";
import { type Db, openDatabase } from "../../src/store/index.js";
import { runWarta } from "../helpers/cli.js";
import { dropPostgresStore, ensureTestDatabase, newPostgresStore } from "../helpers/store.js";

/** The primary key of every table, by table: PRAGMA in SQLite, the catalogue in PostgreSQL. */
async function primaryKeys(db: Db, schema?: string): Promise<Map<string, string[]>> {
  const rows =
    schema === undefined
      ? (
          await sql<{ table: string; column: string; position: number }>`
            select m.name as "table", p.name as "column", p.pk as position
            from sqlite_master m join pragma_table_info(m.name) p
            where m.type = 'table' and p.pk > 0`.execute(db)
        ).rows
      : (
          await sql<{ table: string; column: string; position: number }>`
            select k.table_name as "table", k.column_name as "column",
              k.ordinal_position as position
            from information_schema.table_constraints c
            join information_schema.key_column_usage k
              on k.constraint_schema = c.constraint_schema and k.constraint_name = c.constraint_name
            where c.constraint_type = 'PRIMARY KEY' and c.table_schema = ${schema}`.execute(db)
        ).rows;
  const keys = new Map<string, string[]>();
  for (const row of [...rows].sort((a, b) => a.position - b.position)) {
    keys.set(row.table, [...(keys.get(row.table) ?? []), row.column]);
  }
  return keys;
}

/**
 * Every table of a store with its primary key and columns (name, and whether it may hold null),
 * sorted; of one PostgreSQL schema when `schema` is given (the introspection lists every
 * schema's tables). SQLite lets a primary key column other than INTEGER hold null and says so,
 * PostgreSQL does not; warta never stores one, so a key column counts as not null on both.
 */
async function shape(db: Db, schema?: string) {
  const tables = await db.introspection.getTables();
  const keys = await primaryKeys(db, schema);
  return tables
    .filter((table) => schema === undefined || table.schema === schema)
    .map((table) => {
      const key = keys.get(table.name) ?? [];
      return {
        table: table.name,
        key,
        columns: table.columns
          .map((column) => ({
            column: column.name,
            nullable: column.isNullable && !key.includes(column.name),
          }))
          .sort((a, b) => a.column.localeCompare(b.column)),
      };
    })
    .sort((a, b) => a.table.localeCompare(b.table));
}

/** The migrations a store has run, by name. */
async function migrationsRun(db: Db): Promise<string[]> {
  const { rows } = await sql<{
    name: string;
  }>`select name from kysely_migration order by name`.execute(db);
  return rows.map((row) => row.name);
}

/** A port on 127.0.0.1 that nothing listens on: taken from the system, then let go. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

// Both engines in every run: this compares them, so it needs PostgreSQL in the sqlite run too.
describe("the two store engines", () => {
  let dir: string;
  let postgresSpec: string;
  let sqlite: Db | undefined;
  let postgres: Db | undefined;
  beforeAll(async () => {
    await ensureTestDatabase();
    dir = mkdtempSync(path.join(tmpdir(), "warta-engines-"));
    postgresSpec = newPostgresStore("engines");
  });
  afterAll(async () => {
    await sqlite?.destroy();
    await postgres?.destroy();
    await dropPostgresStore(postgresSpec);
    rmSync(dir, { recursive: true, force: true });
  });

  it("opens a store from a postgres:// URL with ?schema= and from a file path, with the same migrations, tables and columns", async () => {
    sqlite = await openDatabase(path.join(dir, "warta.sqlite"));
    postgres = await openDatabase(postgresSpec);

    const applied = await migrationsRun(sqlite);
    expect(applied.length).toBeGreaterThanOrEqual(6);
    expect(applied[0]).toBe("0001-initial");
    expect(await migrationsRun(postgres)).toEqual(applied);

    // The tables are in the schema the URL names.
    const schema = new URL(postgresSpec).searchParams.get("schema")!;
    const fileShape = await shape(sqlite);
    expect(fileShape.map((t) => t.table)).toEqual(
      expect.arrayContaining(["articles", "deliveries", "editions", "job_state", "subscribers"]),
    );
    expect(fileShape.find((t) => t.table === "deliveries")?.key).toEqual([
      "edition_id",
      "subscriber_id",
    ]);
    expect(await shape(postgres, schema)).toEqual(fileShape);
    const { rows } = await sql<{ n: number }>`
      select count(*) as n from information_schema.tables
      where table_schema = ${schema} and table_name = 'articles'`.execute(postgres);
    expect(rows[0]?.n).toBe(1);

    // Opening an up-to-date store again runs nothing and changes nothing.
    const again = await openDatabase(postgresSpec);
    try {
      expect(await migrationsRun(again)).toEqual(applied);
      expect(await shape(again, schema)).toEqual(fileShape);
    } finally {
      await again.destroy();
    }
  });

  it("fails on a PostgreSQL server it cannot reach with one message naming the URL, not its password", async () => {
    const port = await closedPort();
    const url = `postgres://warta:s3cret-pass@127.0.0.1:${port}/warta?schema=news`;
    const shown = `postgres://warta:***@127.0.0.1:${port}/warta?schema=news`;
    const error = await openDatabase(url).then(
      () => {
        throw new Error("expected the store not to open");
      },
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("STORE_OPEN");
    const message = (error as AppError).message;
    expect(message).toContain(shown);
    expect(message).not.toContain("s3cret-pass");
    expect(message).not.toContain("\n");

    // The command says the same, once, and exits 1.
    const work = mkdtempSync(path.join(dir, "cli-"));
    const result = await runWarta(["status"], {
      cwd: work,
      env: { WARTA_STORE: url },
    });
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n")).toEqual([expect.stringContaining(shown)]);
    expect(result.stderr).not.toContain("s3cret-pass");
  });
});
