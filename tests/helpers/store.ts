import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import path from "node:path";
import SQLite from "better-sqlite3";
import { sql } from "kysely";
import pg from "pg";
import { type Db, openDatabase } from "../../src/store/index.js";

/**
 * The engine this test run stores in: the suite runs once per engine (see vitest.config.ts),
 * with WARTA_TEST_STORE=sqlite or postgres.
 */
export const testEngine: "sqlite" | "postgres" =
  process.env.WARTA_TEST_STORE === "postgres" ? "postgres" : "sqlite";

/** The PostgreSQL database the postgres run uses; every store is a schema of its own in it. */
export const testPostgresUrl =
  process.env.WARTA_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/warta_test";

/** Prefix of the schemas test stores live in; the run's set-up drops the old ones. */
export const TEST_SCHEMA_PREFIX = "wt_";

/** First key of the advisory lock each postgres test run holds while it lasts ("wt"). */
export const TEST_RUN_LOCK = 0x7774;

/** The second key of a run's advisory lock: its id (8 hex digits) as a 31-bit number. */
export function testRunNumber(run: string): number {
  return Number.parseInt(run, 16) & 0x7fffffff;
}

/**
 * The id of this test run, which its schemas are named after (set by
 * tests/global-setup-postgres.ts). A process started without it (no global set-up) gets one of
 * its own, whose schemas the next run's set-up drops.
 */
const testRun = process.env.WARTA_TEST_RUN ?? randomBytes(4).toString("hex");

/** A PostgreSQL store URL for a new, empty schema (`label` only helps a reader of psql). */
export function newPostgresStore(label = ""): string {
  const tag = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "")
    .slice(0, 20);
  const schema = `${TEST_SCHEMA_PREFIX}${testRun}_${tag ? `${tag}_` : ""}${randomBytes(6).toString("hex")}`;
  const url = new URL(testPostgresUrl);
  url.searchParams.set("schema", schema);
  return url.toString();
}

/**
 * The store setting for a new, empty test store: in the postgres run a fresh schema, else an
 * SQLite file in `dir` (or a store in memory without one).
 */
export function newStoreSpec(dir?: string): string {
  if (testEngine === "postgres") {
    // A "data" folder says little in psql: name the schema after the folder that holds it.
    const named = dir && path.basename(dir) === "data" ? path.dirname(dir) : dir;
    return newPostgresStore(named ? path.basename(named) : "");
  }
  return dir ? path.join(dir, "warta.sqlite") : ":memory:";
}

/** Opens a new, empty, migrated store of this run's engine. */
export function openTestStore(dir?: string): Promise<Db> {
  return openDatabase(newStoreSpec(dir));
}

/**
 * The tables a store holds, read without creating or migrating anything: undefined when there is
 * no such store (no SQLite file, or no such PostgreSQL schema). For tests that check what a
 * command left behind.
 */
export async function storeTables(spec: string): Promise<string[] | undefined> {
  if (!/^postgres(ql)?:\/\//i.test(spec)) {
    if (!existsSync(spec)) return undefined;
    const sqlite = new SQLite(spec, { readonly: true, fileMustExist: true });
    try {
      const rows = sqlite
        .prepare("select name from sqlite_master where type = 'table' order by name")
        .all() as { name: string }[];
      return rows.map((row) => row.name).filter((name) => !name.startsWith("sqlite_"));
    } finally {
      sqlite.close();
    }
  }
  const url = new URL(spec);
  const schema = url.searchParams.get("schema") ?? "public";
  url.searchParams.delete("schema");
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const found = await client.query("select 1 from pg_namespace where nspname = $1", [schema]);
    if (found.rowCount === 0) return undefined;
    const { rows } = await client.query<{ table_name: string }>(
      "select table_name from information_schema.tables where table_schema = $1 order by table_name",
      [schema],
    );
    return rows.map((row) => row.table_name);
  } finally {
    await client.end();
  }
}

/**
 * Makes every insert into `table` (or update of it) fail with `message`, as a full disk or a
 * killed process would fail the statement; the returned function undoes it. For tests of what a
 * failed transaction leaves behind. The trigger is the one piece of SQL the engines cannot share.
 */
export async function failWrites(
  db: Db,
  table: string,
  event: "insert" | "update",
  message: string,
): Promise<() => Promise<void>> {
  const name = sql.id(`fail_${event}_${table}`);
  const target = sql.id(table);
  const on = sql.raw(event);
  if (testEngine === "postgres") {
    await sql`create function ${name}() returns trigger language plpgsql as ${sql.lit(
      `begin raise exception '${message.replace(/'/g, "''")}'; end`,
    )}`.execute(db);
    await sql`create trigger ${name} before ${on} on ${target} for each row execute function ${name}()`.execute(
      db,
    );
    return async () => {
      await sql`drop trigger ${name} on ${target}`.execute(db);
      await sql`drop function ${name}()`.execute(db);
    };
  }
  await sql`create trigger ${name} before ${on} on ${target} begin select raise(abort, ${sql.lit(message)}); end`.execute(
    db,
  );
  return async () => {
    await sql`drop trigger ${name}`.execute(db);
  };
}

/**
 * Makes sure the PostgreSQL test database exists (the postgres run's set-up does this; a test
 * that uses PostgreSQL in the sqlite run as well calls it first). Fails naming the server when
 * PostgreSQL is not running.
 */
export async function ensureTestDatabase(): Promise<void> {
  const url = new URL(testPostgresUrl);
  const database = url.pathname.replace(/^\//, "") || "warta_test";
  const admin = new URL(url);
  admin.pathname = "/postgres";
  admin.search = "";
  const client = new pg.Client({ connectionString: admin.toString() });
  try {
    await client.connect();
  } catch (cause) {
    throw new Error(
      `the tests need PostgreSQL at ${admin.host} (${(cause as Error).message}); ` +
        "start it (pg_ctlcluster 15 main start) or set WARTA_TEST_PG_URL",
      { cause },
    );
  }
  try {
    const exists = await client.query("select 1 from pg_database where datname = $1", [database]);
    if (exists.rowCount === 0) {
      // Two processes may get here at once; the loser's "already exists" is no failure.
      await client.query(`create database "${database}"`).catch((error: { code?: string }) => {
        if (error.code !== "42P04" && error.code !== "23505") throw error;
      });
    }
  } finally {
    await client.end();
  }
}

/** Drops the schema of a PostgreSQL test store (for tests that clean up after themselves). */
export async function dropPostgresStore(spec: string): Promise<void> {
  const url = new URL(spec);
  const schema = url.searchParams.get("schema");
  if (!schema?.startsWith(TEST_SCHEMA_PREFIX)) throw new Error(`not a test store: ${spec}`);
  url.searchParams.delete("schema");
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${schema}" cascade`);
  } finally {
    await client.end();
  }
}
