import { mkdirSync } from "node:fs";
import path from "node:path";
import SQLite from "better-sqlite3";
import { Kysely, Migrator, SqliteDialect } from "kysely";
import { AppError } from "../shared/errors.js";
import { migrations } from "./migrations/index.js";
import type { Database } from "./schema.js";

export type Db = Kysely<Database>;

/**
 * Opens (creating if needed) the SQLite store at `file` and brings its schema up to date.
 * Pass ":memory:" for a throw-away store.
 */
export async function openDatabase(file: string): Promise<Db> {
  let sqlite: SQLite.Database;
  try {
    if (file !== ":memory:") mkdirSync(path.dirname(file), { recursive: true });
    sqlite = new SQLite(file);
    sqlite.pragma("journal_mode = WAL");
    // With WAL, NORMAL loses no committed transaction when the process is killed (only a power
    // cut can undo the last ones), and makes each small commit, such as one recorded delivery,
    // much cheaper than FULL.
    sqlite.pragma("synchronous = NORMAL");
    sqlite.pragma("foreign_keys = ON");
    sqlite.pragma("busy_timeout = 5000");
  } catch (cause) {
    throw new AppError("STORE_OPEN", `store: cannot open ${file}: ${(cause as Error).message}`, {
      cause,
    });
  }
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  await migrateToLatest(db);
  return db;
}

/** Applies every migration not applied yet, in name order. */
export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations },
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
