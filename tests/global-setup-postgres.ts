import { randomBytes } from "node:crypto";
import pg from "pg";
import {
  ensureTestDatabase,
  TEST_RUN_LOCK,
  TEST_SCHEMA_PREFIX,
  testPostgresUrl,
  testRunNumber,
} from "./helpers/store.js";

/**
 * Before the postgres run: makes sure the test database exists and holds no schema left by an
 * earlier run. PostgreSQL must be up; if it is not, the run fails here, naming the URL.
 *
 * Several runs may share the database (developers testing side by side), so each run names its
 * schemas after a run id of its own (WARTA_TEST_RUN, which the test workers inherit) and holds an
 * advisory lock on that id for as long as it lasts. A schema is left over when no session holds
 * the lock of its run any more: a run that ended, or died, without dropping it. Those are dropped;
 * the schemas of a run still going are not. At the end a run drops its own.
 */
export default async function setup(): Promise<() => Promise<void>> {
  await ensureTestDatabase();
  const url = new URL(testPostgresUrl);

  const run = randomBytes(4).toString("hex");
  process.env.WARTA_TEST_RUN = run;
  // The session that marks this run as alive; it stays open until the teardown.
  const holder = new pg.Client({ connectionString: url.toString() });
  await holder.connect();
  holder.on("error", () => {});
  await holder.query("select pg_advisory_lock($1, $2)", [TEST_RUN_LOCK, testRunNumber(run)]);

  /** Drops the test schemas of this run, and those of runs no session holds the lock of. */
  const dropSchemas = async (mine: boolean) => {
    const db = new pg.Client({ connectionString: url.toString() });
    await db.connect();
    try {
      const { rows } = await db.query<{ nspname: string }>(
        "select nspname from pg_namespace where nspname like $1",
        [`${TEST_SCHEMA_PREFIX}%`],
      );
      const live = await db.query<{ objid: number }>(
        `select objid::int8 as objid from pg_locks
         where locktype = 'advisory' and granted and classid = $1::int8::oid and objsubid = 2
           and database = (select oid from pg_database where datname = current_database())`,
        [TEST_RUN_LOCK],
      );
      const alive = new Set(live.rows.map((row) => Number(row.objid)));
      for (const { nspname } of rows) {
        const owner = /^wt_([0-9a-f]{8})_/.exec(nspname)?.[1];
        const ours = owner === run;
        if (ours ? !mine : owner !== undefined && alive.has(testRunNumber(owner))) continue;
        await db.query(`drop schema if exists "${nspname}" cascade`);
      }
    } finally {
      await db.end();
    }
  };
  await dropSchemas(false);
  return async () => {
    try {
      await dropSchemas(true);
    } finally {
      await holder.end();
    }
  };
}
