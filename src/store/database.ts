import { mkdirSync } from "node:fs";
import path from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, Migrator, type SqliteDatabase, SqliteDialect, type SqliteStatement } from "kysely";
import pg from "pg";
import { AppError } from "../shared/errors.js";
import { migrations } from "./migrations/index.js";
import { StorePostgresDialect } from "./postgres-introspector.js";
import type { Database } from "./schema.js";
import { describeStore, isPostgresUrl } from "./spec.js";

export { describeStore, isPostgresUrl };

export type Db = Kysely<Database>;

/** Options for opening a store. */
export interface OpenOptions {
  /** PostgreSQL: most connections this process keeps open (default 10). */
  poolSize?: number;
}

/**
 * Opens the store and brings its schema up to date. `spec` is either a `postgres://` URL (a
 * `schema` query parameter puts warta's tables in that schema, created if missing) or the path of
 * an SQLite file (created if missing; ":memory:" for a throw-away store).
 */
export async function openDatabase(spec: string, options: OpenOptions = {}): Promise<Db> {
  const { db, schema } = isPostgresUrl(spec)
    ? await openPostgres(spec, options)
    : { db: openSqlite(spec), schema: undefined };
  try {
    if (isPostgresUrl(spec)) await migrateToLatest(db, schema);
    else await migrateSqlite(db);
  } catch (error) {
    await db.destroy().catch(() => {});
    throw error;
  }
  return db;
}

function openSqlite(file: string): Db {
  let sqlite: SQLite.Database;
  try {
    if (file !== ":memory:") mkdirSync(path.dirname(file), { recursive: true });
    sqlite = new SQLite(file);
    // First, so that every step below (switching to WAL takes a lock) waits for another
    // process opening the same new store instead of failing with "database is locked".
    sqlite.pragma("busy_timeout = 5000");
    sqlite.pragma("journal_mode = WAL");
    // With WAL, NORMAL loses no committed transaction when the process is killed (only a power
    // cut can undo the last ones), and makes each small commit, such as one recorded delivery,
    // much cheaper than FULL.
    sqlite.pragma("synchronous = NORMAL");
    sqlite.pragma("foreign_keys = ON");
  } catch (cause) {
    throw new AppError("STORE_OPEN", `store: cannot open ${file}: ${(cause as Error).message}`, {
      cause,
    });
  }
  return new Kysely<Database>({
    dialect: new SqliteDialect({ database: reusingStatements(sqlite) }),
  });
}

/** Statements kept per connection; the least recently prepared goes first when it is full. */
const STATEMENT_CACHE = 256;

/**
 * The SQLite connection as Kysely's dialect uses it, with each statement prepared once per text
 * of SQL and reused: Kysely prepares every query it runs, and the same few (a delivery marked
 * sent, once per message) run thousands of times. A statement still being read from (a stream)
 * is busy; the same text then gets a new one.
 */
function reusingStatements(sqlite: SQLite.Database): SqliteDatabase {
  const statements = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(text: string): SqliteStatement {
      const kept = statements.get(text);
      if (kept && !kept.busy) return kept;
      const statement = sqlite.prepare(text);
      statements.delete(text);
      if (statements.size >= STATEMENT_CACHE) {
        const oldest = statements.keys().next().value;
        if (oldest !== undefined) statements.delete(oldest);
      }
      statements.set(text, statement);
      return statement;
    },
  };
}

/** PostgreSQL's bigint (count(*)) and numeric come back as strings; warta's counts fit a number. */
const typeParsers = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === pg.types.builtins.INT8 || oid === pg.types.builtins.NUMERIC) return Number;
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

async function openPostgres(
  spec: string,
  options: OpenOptions,
): Promise<{ db: Db; schema: string | undefined }> {
  const shown = describeStore(spec);
  let url: URL;
  try {
    url = new URL(spec);
  } catch (cause) {
    throw new AppError("STORE_OPEN", `store: ${shown} is not a valid URL`, { cause });
  }
  const schema = url.searchParams.get("schema") ?? undefined;
  url.searchParams.delete("schema");
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) {
    throw new AppError(
      "STORE_OPEN",
      `store: schema "${schema}" in ${shown} must be lower-case letters, digits and _`,
    );
  }
  const connectionString = url.toString();
  if (schema) {
    // The schema must exist before connections put it on their search path. Looked up first, so
    // that a role allowed only to use an existing schema, not to create one, can open it.
    const client = new pg.Client({ connectionString });
    try {
      await client.connect();
      const found = await client.query("select 1 from pg_namespace where nspname = $1", [schema]);
      if (found.rowCount === 0) {
        await client.query(`create schema if not exists "${schema}"`).catch((error) => {
          // Another process opening the same new store created it first: what we wanted.
          if ((error as { code?: string }).code !== "23505") throw error;
        });
      }
    } catch (cause) {
      throw new AppError(
        "STORE_OPEN",
        `store: cannot open ${shown}: ${(cause as Error).message || String(cause)}`,
        { cause },
      );
    } finally {
      await client.end().catch(() => {});
    }
  }
  const pool = new pg.Pool({
    connectionString,
    max: options.poolSize ?? 10,
    types: typeParsers,
    // The same durability as the SQLite store's synchronous = NORMAL: a commit does not wait for
    // the WAL to reach the disk, so a killed warta loses nothing it committed and only a crash of
    // the server itself can undo the last fraction of a second. Each recorded delivery commits on
    // its own, and waiting for the disk every time made sending half as fast.
    //
    // No JIT compilation: warta's statements are short, and PostgreSQL's cost estimates (on the
    // catalogue the migrator reads at every open, for one) start a compile that took 0.7 s for a
    // query that runs in 4 ms.
    options: `-c synchronous_commit=off -c jit=off${schema ? ` -c search_path=${schema}` : ""}`,
  });
  // An idle connection the server closes (a restart, a failover) must not end the process:
  // the pool drops it and the next query opens another.
  pool.on("error", () => {});
  try {
    const client = await pool.connect();
    client.release();
  } catch (cause) {
    await pool.end().catch(() => {});
    throw new AppError(
      "STORE_OPEN",
      `store: cannot open ${shown}: ${(cause as Error).message || String(cause)}`,
      { cause },
    );
  }
  return { db: new Kysely<Database>({ dialect: new StorePostgresDialect({ pool }) }), schema };
}

/**
 * SQLite's migrations take no lock between processes: two processes opening a new store at
 * once both start migrating, and the one that loses (its transaction is rolled back whole)
 * finds the work done when it tries again.
 */
async function migrateSqlite(db: Db): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await migrateToLatest(db);
      return;
    } catch (error) {
      if (attempt >= 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}

/** Applies every migration not applied yet, in name order. */
export async function migrateToLatest(db: Kysely<Database>, schema?: string): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName ?? "unknown";
    throw new AppError(
      "STORE_MIGRATE",
      `store: migration ${failed} failed: ${(error as Error).message ?? String(error)}`,
      { cause: error },
    );
  }
  return (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName);
}
