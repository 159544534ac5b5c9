import { PostgresAdapter, type RawBuilder, sql } from "kysely";

/** The two engines a store can run on. */
export type Engine = "sqlite" | "postgres";

/**
 * Which engine `db` talks to. Works on a transaction or a migration's connection as well as on
 * the store itself, since it asks the query executor. Only the store's own modules use it, for
 * the few statements the two engines spell differently.
 */
export function engineOf(db: { getExecutor(): { readonly adapter: unknown } }): Engine {
  return db.getExecutor().adapter instanceof PostgresAdapter ? "postgres" : "sqlite";
}

/** The larger of two numbers: SQLite's scalar max(), PostgreSQL's greatest(). */
export function greatest<T>(engine: Engine, a: unknown, b: unknown): RawBuilder<T> {
  return engine === "postgres" ? sql<T>`greatest(${a}, ${b})` : sql<T>`max(${a}, ${b})`;
}

/** The smaller of two numbers: SQLite's scalar min(), PostgreSQL's least(). */
export function least<T>(engine: Engine, a: unknown, b: unknown): RawBuilder<T> {
  return engine === "postgres" ? sql<T>`least(${a}, ${b})` : sql<T>`min(${a}, ${b})`;
}

/**
 * The values of a text column in a group, in order, joined with newlines (null for an empty
 * group). Ordered explicitly: SQLite happened to follow its index, PostgreSQL follows no order.
 */
export function joinLines(engine: Engine, column: RawBuilder<unknown>): RawBuilder<string | null> {
  return engine === "postgres"
    ? sql<string | null>`string_agg(${column}, chr(10) order by ${column})`
    : sql<string | null>`group_concat(${column}, char(10) order by ${column})`;
}
