import type { SubscriberRepository } from "../domain/ports.js";
import type { NewSubscriber, Subscriber, SubscriberStatus } from "../domain/subscriber.js";
import type { Db } from "./database.js";

/** Subscribers in the SQL store. Addresses are unique without regard to case. */
export class SqlSubscriberRepository implements SubscriberRepository {
  constructor(
    private readonly db: Db,
    private readonly defaults: { language: string; timezone: string },
  ) {}

  async addIfAbsent(subscribers: NewSubscriber[], now: Date): Promise<number> {
    if (subscribers.length === 0) return 0;
    const stamp = now.toISOString();
    let added = 0;
    await this.db.transaction().execute(async (trx) => {
      for (const subscriber of subscribers) {
        const result = await trx
          .insertInto("subscribers")
          .values({
            email: subscriber.email.toLowerCase(),
            name: subscriber.name ?? null,
            language: subscriber.language ?? this.defaults.language,
            timezone: subscriber.timezone ?? this.defaults.timezone,
            status: subscriber.status ?? "active",
            created_at: stamp,
            updated_at: stamp,
          })
          .onConflict((oc) => oc.column("email").doNothing())
          .executeTakeFirst();
        added += Number(result.numInsertedOrUpdatedRows ?? 0);
      }
    });
    return added;
  }

  async active(): Promise<Subscriber[]> {
    const rows = await this.db
      .selectFrom("subscribers")
      .selectAll()
      .where("status", "=", "active")
      .orderBy("id")
      .execute();
    return rows.map((row) => {
      const subscriber: Subscriber = {
        id: row.id,
        email: row.email,
        language: row.language,
        timezone: row.timezone,
        status: row.status as SubscriberStatus,
        created: new Date(row.created_at),
      };
      if (row.name !== null) subscriber.name = row.name;
      return subscriber;
    });
  }

  async count(): Promise<number> {
    const row = await this.db
      .selectFrom("subscribers")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
