import type { Db } from "./database.js";

/** A row of migration 0008: when a version (by content hash) of a public file was first seen. */
interface FileVersionsTable {
  path: string;
  hash: string;
  modified_at: string;
}

/** Versions of a path older than this, other than the one being served, are forgotten. */
const KEEP_MS = 30 * 86_400_000;

/**
 * The Last-Modified of each version of each public file, agreed by the servers on the store.
 * Each machine's publish writes its own copy of a file at its own time, so modification times
 * differ between machines; the first server to see a version records its time, and the others
 * take that one.
 */
export class SqlFileVersions {
  constructor(private readonly db: Db) {}

  /**
   * The agreed modification time of the bytes hashed `hash` at `path`: the recorded one, or
   * `modified` (recorded now) if none is. `supersedes` is the time this server gave the
   * path's version before this one: a record older than that dates from an earlier time the
   * path held these bytes (a change undone), and moves past it, so that the time of a path
   * never goes back and If-Modified-Since cannot keep a client on the undone version.
   */
  async agree(path: string, hash: string, modified: Date, supersedes?: Date): Promise<Date> {
    const db = this.table();
    const own = modified.toISOString();
    let query = db
      .insertInto("file_versions")
      .values({ path, hash, modified_at: own })
      .onConflict((oc) =>
        oc.columns(["path", "hash"]).doUpdateSet((eb) => ({
          modified_at: eb.ref("file_versions.modified_at"),
        })),
      );
    if (supersedes !== undefined) {
      const floor = supersedes.toISOString();
      // Whole seconds, as Last-Modified tells them: one second past the superseded version.
      const moved = new Date(
        Math.max(modified.getTime(), Math.floor(supersedes.getTime() / 1000) * 1000 + 1000),
      ).toISOString();
      query = db
        .insertInto("file_versions")
        .values({ path, hash, modified_at: own })
        .onConflict((oc) =>
          oc.columns(["path", "hash"]).doUpdateSet((eb) => ({
            modified_at: eb
              .case()
              .when("file_versions.modified_at", "<", floor)
              .then(moved)
              .else(eb.ref("file_versions.modified_at"))
              .end(),
          })),
        );
    }
    const row = await query.returning("modified_at").executeTakeFirstOrThrow();
    const agreed = new Date(row.modified_at);
    if (supersedes !== undefined) {
      // The path has changed: forget its old versions (not while a lagging machine may serve
      // them, which would only record them again).
      await db
        .deleteFrom("file_versions")
        .where("path", "=", path)
        .where("hash", "<>", hash)
        .where("modified_at", "<", new Date(agreed.getTime() - KEEP_MS).toISOString())
        .execute();
    }
    return agreed;
  }

  private table() {
    return this.db.withTables<{ file_versions: FileVersionsTable }>();
  }
}
