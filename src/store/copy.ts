import { type Kysely, sql } from "kysely";
import { AppError } from "../shared/errors.js";
import type { Db } from "./database.js";
import { type Engine, engineOf } from "./dialect.js";

/**
 * Every table of the store, parents before children (the order rows can be inserted in with
 * foreign keys on), with the columns that order its rows (its primary key), and the column a
 * sequence numbers, if any.
 */
export const STORE_TABLES: readonly {
  name: string;
  key: readonly string[];
  serial?: string;
}[] = [
  { name: "articles", key: ["id"] },
  { name: "categories", key: ["slug"] },
  { name: "article_categories", key: ["article_id", "category_slug"] },
  { name: "article_sources", key: ["source_id", "source_key"] },
  { name: "source_state", key: ["source_id"] },
  { name: "subscribers", key: ["id"], serial: "id" },
  { name: "editions", key: ["id"], serial: "id" },
  { name: "edition_articles", key: ["edition_id", "article_id"] },
  { name: "deliveries", key: ["edition_id", "subscriber_id"] },
  { name: "digest_slots", key: ["frequency", "timezone", "slot_at"] },
  { name: "job_state", key: ["job"] },
  { name: "file_versions", key: ["path", "hash"] },
  { name: "rate_limits", key: ["key"] },
];

/** Tables that belong to the engine or the migrator, not to warta's data. */
const NOT_COPIED = /^(sqlite_|kysely_migration)/;

/** Most bound values in one INSERT: under SQLite's limit (32,766) and PostgreSQL's (65,535). */
const MAX_VALUES = 30_000;

type Row = Record<string, unknown>;
// Tables are named at run time here, so the typed schema does not apply.
type AnyDb = Kysely<Record<string, Row>>;

/** What a copy did, table by table. */
export interface CopyReport {
  tables: { name: string; rows: number }[];
}

export interface CopyOptions {
  /** Rows read per query (default 2,000). */
  pageSize?: number;
  /** Called after each table is copied. */
  onTable?: (name: string, rows: number) => void;
}

/** The tables of the store `db` opens: its schema on PostgreSQL, the file on SQLite. */
async function tablesOf(db: Db): Promise<string[]> {
  const rows =
    engineOf(db) === "postgres"
      ? (
          await sql<{ name: string }>`
            select table_name as name from information_schema.tables
            where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(db)
        ).rows
      : (
          await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(
            db,
          )
        ).rows;
  return rows.map((row) => row.name).filter((name) => !NOT_COPIED.test(name));
}

/**
 * The highest number a table's sequence has handed out, used or not: a deleted subscriber's
 * number must not come back, since links signed for it may still be in old mail.
 */
async function highWater(db: AnyDb, engine: Engine, table: string, column: string) {
  const max = await sql<{
    n: number | null;
  }>`select max(${sql.ref(column)}) as n from ${sql.table(table)}`.execute(db);
  let high = Number(max.rows[0]?.n ?? 0);
  if (engine === "postgres") {
    const seq = await sql<{ n: number | null }>`
      select pg_sequence_last_value(pg_get_serial_sequence(${table}, ${column})::regclass) as n`.execute(
      db,
    );
    high = Math.max(high, Number(seq.rows[0]?.n ?? 0));
  } else {
    const seq = await sql<{ n: number | null }>`
      select seq as n from sqlite_sequence where name = ${table}`.execute(db);
    high = Math.max(high, Number(seq.rows[0]?.n ?? 0));
  }
  return high;
}

/** Makes the target's sequence hand out numbers above `high` next. */
async function setHighWater(
  db: AnyDb,
  engine: Engine,
  table: string,
  column: string,
  high: number,
) {
  if (high <= 0) return;
  if (engine === "postgres") {
    await sql`select setval(pg_get_serial_sequence(${table}, ${column}), ${high})`.execute(db);
  } else {
    await sql`delete from sqlite_sequence where name = ${table}`.execute(db);
    await sql`insert into sqlite_sequence (name, seq) values (${table}, ${high})`.execute(db);
  }
}

/** The rows of a table after `after` (its key values), in key order. */
async function page(
  db: AnyDb,
  table: string,
  key: readonly string[],
  after: Row | undefined,
  size: number,
) {
  const keyList = sql.join(key.map((column) => sql.ref(column)));
  const where = after
    ? sql`where (${keyList}) > (${sql.join(key.map((column) => after[column]))})`
    : sql``;
  const result = await sql<Row>`
    select * from ${sql.table(table)} ${where} order by ${keyList} limit ${size}`.execute(db);
  return result.rows;
}

/** Inserts rows as they are, numbers included, in statements of at most MAX_VALUES values. */
async function insertRows(db: AnyDb, table: string, rows: Row[]): Promise<void> {
  if (rows.length === 0) return;
  const columns = Object.keys(rows[0]!);
  const perStatement = Math.max(1, Math.floor(MAX_VALUES / columns.length));
  const columnList = sql.join(columns.map((column) => sql.ref(column)));
  for (let start = 0; start < rows.length; start += perStatement) {
    const values = rows
      .slice(start, start + perStatement)
      .map((row) => sql`(${sql.join(columns.map((column) => row[column] ?? null))})`);
    await sql`insert into ${sql.table(table)} (${columnList}) values ${sql.join(values)}`.execute(
      db,
    );
  }
}

/**
 * Copies everything warta stores from one store into another, new one: SQLite into PostgreSQL
 * when one machine is no longer enough, or back, or into a fresh file. Both stores are open
 * and migrated to the same version. The target must hold no rows at all; the copy runs in one
 * transaction on it (a failure leaves it empty) and reads the source in one transaction (a
 * consistent snapshot even if warta is still writing to it; stop it anyway, or what it writes
 * afterwards stays behind). Rows keep their numbers, and the target's sequences continue after
 * the highest number the source ever handed out.
 */
export async function copyStore(
  source: Db,
  target: Db,
  options: CopyOptions = {},
): Promise<CopyReport> {
  const size = Math.max(1, options.pageSize ?? 2_000);
  const known = new Set(STORE_TABLES.map((table) => table.name));
  for (const [side, db] of [
    ["source", source],
    ["target", target],
  ] as const) {
    const unknown = (await tablesOf(db)).filter((name) => !known.has(name));
    if (unknown.length > 0) {
      throw new AppError(
        "STORE_COPY",
        `store copy: the ${side} has table(s) this version does not know (${unknown.sort().join(", ")}); ` +
          "copy with the warta version that wrote them",
      );
    }
  }
  const sourceEngine = engineOf(source);
  const targetEngine = engineOf(target);
  const report: CopyReport = { tables: [] };
  const read = source.transaction();
  const reading = sourceEngine === "postgres" ? read.setIsolationLevel("repeatable read") : read;
  await reading.execute(async (from) =>
    target.transaction().execute(async (to) => {
      const src = from as unknown as AnyDb;
      const dst = to as unknown as AnyDb;
      for (const { name } of STORE_TABLES) {
        const held = await sql<{ n: number }>`select count(*) as n from ${sql.table(name)}`.execute(
          dst,
        );
        if (Number(held.rows[0]?.n ?? 0) > 0) {
          throw new AppError(
            "STORE_COPY",
            `store copy: the target already holds rows in ${name}; copy into a new, empty store`,
          );
        }
      }
      for (const { name, key, serial } of STORE_TABLES) {
        let copied = 0;
        let after: Row | undefined;
        for (;;) {
          const rows = await page(src, name, key, after, size);
          await insertRows(dst, name, rows);
          copied += rows.length;
          if (rows.length < size) break;
          after = rows[rows.length - 1];
        }
        if (serial) {
          const high = await highWater(src, sourceEngine, name, serial);
          await setHighWater(dst, targetEngine, name, serial, high);
        }
        report.tables.push({ name, rows: copied });
        options.onTable?.(name, copied);
      }
    }),
  );
  return report;
}
