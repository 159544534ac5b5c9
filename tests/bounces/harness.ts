import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { ApplyDeps } from "../../src/bounces/index.js";
import { silentLogger } from "../../src/shared/logger.js";
import { type Db, openDatabase, SqlSubscriberRepository } from "../../src/store/index.js";
import { SqlStatusStore } from "../../src/store/status.js";
import { newStoreSpec } from "../helpers/store.js";
import { repoRoot } from "../helpers/workspace.js";

export const host = "news.example.org";

/** A real store (an SQLite file, or a PostgreSQL schema), with subscribers and sent deliveries. */
export interface BounceStoreFixture {
  dir: string;
  /** The store setting: the SQLite file in `dir`, or the URL of the fixture's own schema. */
  spec: string;
  db: Db;
  store: SqlStatusStore;
  deps: (overrides?: Partial<ApplyDeps>) => ApplyDeps;
  /** Adds an active subscriber; returns their id. */
  subscriber(email: string): Promise<number>;
  /** Adds an edition with a 'sent' delivery to each subscriber; returns its id. */
  edition(subscriberIds: number[]): Promise<number>;
  delivery(
    editionId: number,
    subscriberId: number,
  ): Promise<{ status: string; last_error: string | null }>;
  subscriberRow(id: number): Promise<{ status: string; hard_bounces: number }>;
  close(): Promise<void>;
}

export async function openBounceStore(bounceLimit = 2): Promise<BounceStoreFixture> {
  const dir = mkdtempSync(path.join(tmpdir(), "warta-bounces-"));
  const spec = newStoreSpec(dir);
  const db = await openDatabase(spec);
  const store = new SqlStatusStore(db);
  const subscribers = new SqlSubscriberRepository(db, {
    language: "id",
    timezone: "Asia/Jakarta",
  });
  const now = new Date("2024-05-05T00:00:00Z");
  return {
    dir,
    spec,
    db,
    store,
    deps: (overrides = {}) => ({
      store,
      bounceLimit,
      now: () => now,
      logger: silentLogger(),
      ...overrides,
    }),
    async subscriber(email) {
      const { subscriber } = await subscribers.create({ email, status: "active" }, now);
      return subscriber.id;
    },
    async edition(subscriberIds) {
      const { id } = await db
        .insertInto("editions")
        .values({
          created_at: now.toISOString(),
          subject: "Warta Uji",
          html: "<p>x</p>",
          text: "x",
          period_start: null,
          period_end: now.toISOString(),
        })
        .returning("id")
        .executeTakeFirstOrThrow();
      for (const subscriberId of subscriberIds) {
        await db
          .insertInto("deliveries")
          .values({
            edition_id: id,
            subscriber_id: subscriberId,
            status: "sent",
            message_id: `<warta.e${id}.s${subscriberId}@${host}>`,
            attempts: 1,
            queued_at: now.toISOString(),
            sent_at: now.toISOString(),
          })
          .execute();
      }
      return id;
    },
    async delivery(editionId, subscriberId) {
      return db
        .selectFrom("deliveries")
        .select(["status", "last_error"])
        .where("edition_id", "=", editionId)
        .where("subscriber_id", "=", subscriberId)
        .executeTakeFirstOrThrow();
    },
    async subscriberRow(id) {
      return db
        .selectFrom("subscribers")
        .select(["status", "hard_bounces"])
        .where("id", "=", id)
        .executeTakeFirstOrThrow();
    },
    async close() {
      await db.destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const fixture = (name: string) =>
  readFileSync(path.join(repoRoot, "tests/fixtures/bounces", name), "utf8").replace(
    /\r?\n/g,
    "\r\n",
  );

/** The Postfix hard bounce sample, about our message to one subscriber of one edition. */
export function hardBounce(editionId: number, subscriberId: number, recipient: string): string {
  return fixture("postfix-hard.eml")
    .replaceAll("warta.e7.s42@", `warta.e${editionId}.s${subscriberId}@`)
    .replace(/budi\.santoso@example\.net/gi, recipient);
}

/** The ARF complaint sample, about our message to one subscriber. */
export function complaint(editionId: number, subscriberId: number, recipient: string): string {
  return fixture("arf-complaint.eml")
    .replace(/warta\.e8\.s44@/g, `warta.e${editionId}.s${subscriberId}@`)
    .replace(/citra@hotmail\.example/gi, recipient);
}

/** The Exchange sample: a soft bounce for `soft` and a delay for `delayed`, of one message. */
export function softBounce(
  editionId: number,
  subscriberId: number,
  soft: string,
  delayed: string,
): string {
  return fixture("exchange-soft.eml")
    .replace(/warta\.e7\.s43@/g, `warta.e${editionId}.s${subscriberId}@`)
    .replace(/ani@corp\.example\.com/gi, soft)
    .replace(/rudi@corp\.example\.com/gi, delayed);
}

/** An ordinary reply, no report. */
export const notAReport = () => fixture("not-a-report.eml");
