import type { SourceState, SourceStateRepository } from "../domain/ports.js";
import type { Db } from "./database.js";
import type { SourceStateTable } from "./schema.js";

const toDate = (value: string | null) => (value === null ? undefined : new Date(value));
const toText = (value: Date | undefined) => value?.toISOString() ?? null;

/** Polling state of the sources in the SQL store. */
export class SqlSourceStateRepository implements SourceStateRepository {
  constructor(private readonly db: Db) {}

  async get(sourceId: string): Promise<SourceState | undefined> {
    const row = await this.db
      .selectFrom("source_state")
      .selectAll()
      .where("source_id", "=", sourceId)
      .executeTakeFirst();
    return row ? fromRow(row) : undefined;
  }

  async all(): Promise<SourceState[]> {
    const rows = await this.db
      .selectFrom("source_state")
      .selectAll()
      .orderBy("source_id")
      .execute();
    return rows.map(fromRow);
  }

  async save(state: SourceState): Promise<void> {
    const row: SourceStateTable = {
      source_id: state.sourceId,
      etag: state.etag ?? null,
      last_modified: state.lastModified ?? null,
      cursor: state.cursor ?? null,
      last_attempt_at: toText(state.lastAttempt),
      last_success_at: toText(state.lastSuccess),
      last_error_at: toText(state.lastErrorAt),
      last_error: state.lastError ?? null,
      consecutive_failures: state.consecutiveFailures,
      next_poll_at: toText(state.nextPoll),
      items: state.items,
    };
    const { source_id: _id, ...changes } = row;
    await this.db
      .insertInto("source_state")
      .values(row)
      .onConflict((oc) => oc.column("source_id").doUpdateSet(changes))
      .execute();
  }
}

function fromRow(row: SourceStateTable): SourceState {
  const state: SourceState = {
    sourceId: row.source_id,
    consecutiveFailures: row.consecutive_failures,
    items: row.items,
  };
  if (row.etag !== null) state.etag = row.etag;
  if (row.last_modified !== null) state.lastModified = row.last_modified;
  if (row.cursor !== null) state.cursor = row.cursor;
  if (row.last_error !== null) state.lastError = row.last_error;
  const dates = {
    lastAttempt: toDate(row.last_attempt_at),
    lastSuccess: toDate(row.last_success_at),
    lastErrorAt: toDate(row.last_error_at),
    nextPoll: toDate(row.next_poll_at),
  };
  for (const [key, value] of Object.entries(dates)) {
    if (value) (state as unknown as Record<string, Date>)[key] = value;
  }
  return state;
}
