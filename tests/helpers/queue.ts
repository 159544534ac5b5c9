import { digestMessageId } from "../../src/domain/digest.js";
import { SqlEditionRepository } from "../../src/store/index.js";
import type { Workspace } from "./workspace.js";

/** The host of the Message-IDs of queueEdition's messages. */
export const QUEUE_HOST = "news.example.org";

/**
 * Stores `active` subscribers (pembaca1@example.org, ...) and `unsubscribed` more after them,
 * and one edition queued to all of them, straight into the workspace's fresh store: the edition
 * gets id 1, subscriber n gets id n.
 */
export async function queueEdition(
  ws: Workspace,
  active: number,
  unsubscribed: number,
): Promise<void> {
  const db = await ws.openStore();
  try {
    const stamp = "2024-05-04T00:00:00.000Z";
    const rows = Array.from({ length: active + unsubscribed }, (_, index) => ({
      email: `pembaca${index + 1}@example.org`,
      name: `Pembaca ${index + 1}`,
      language: "id",
      timezone: "Asia/Jakarta",
      status: index < active ? "active" : "unsubscribed",
      created_at: stamp,
      updated_at: stamp,
    }));
    for (let i = 0; i < rows.length; i += 500) {
      await db
        .insertInto("subscribers")
        .values(rows.slice(i, i + 500))
        .execute();
    }
    const ids = await db.selectFrom("subscribers").select("id").orderBy("id").execute();
    await new SqlEditionRepository(db).create(
      {
        subject: "Warta Uji: berita hari ini",
        html: "<p>Halo, pembaca. Harga karet naik – petani tersenyum…</p>",
        text: "Halo, pembaca. Harga karet naik – petani tersenyum…\n",
        periodStart: null,
        periodEnd: new Date(stamp),
        articleIds: [],
        recipients: ids.map(({ id }) => ({
          subscriberId: id,
          messageId: digestMessageId(1, id, QUEUE_HOST),
        })),
      },
      new Date(stamp),
    );
  } finally {
    await db.destroy();
  }
}

/** Edition 1's deliveries by status. */
export async function deliveryCounts(ws: Workspace): Promise<Record<string, number>> {
  const db = await ws.openStore();
  try {
    return await new SqlEditionRepository(db).deliveryCounts(1);
  } finally {
    await db.destroy();
  }
}
