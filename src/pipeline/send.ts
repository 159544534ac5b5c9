import type { MailConfig, SiteConfig } from "../config/index.js";
import type { Edition } from "../domain/digest.js";
import type { EditionRepository, Mailer, OutgoingMessage } from "../domain/ports.js";
import { errorMessage, isAppError } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";
import { slugify } from "../shared/slug.js";

/** What one send run did. */
export interface SendSummary {
  sent: number;
  failed: number;
  /** Deliveries left queued because the transport itself failed (retried by the next run). */
  left: number;
  transport: string;
  /** Where the messages went (outbox files or the SMTP server). */
  locations: string[];
  errors: string[];
}

/**
 * Sends every queued delivery through the mailer, recording each result as it happens.
 * A message the server refuses is marked failed and the run goes on; when the transport
 * itself is unreachable the run stops and the rest stays queued for the next one.
 */
export async function sendQueued(deps: {
  site: SiteConfig;
  mail: Pick<MailConfig, "from" | "reply_to">;
  editions: EditionRepository;
  mailer: Mailer;
  now: () => Date;
  logger: Logger;
  batchSize?: number;
}): Promise<SendSummary> {
  const log = deps.logger.child({ component: "send", transport: deps.mailer.kind });
  const summary: SendSummary = {
    sent: 0,
    failed: 0,
    left: 0,
    transport: deps.mailer.kind,
    locations: [],
    errors: [],
  };
  const editions = new Map<number, Edition>();
  const batchSize = deps.batchSize ?? 100;
  for (;;) {
    const batch = await deps.editions.queued(batchSize);
    if (batch.length === 0) break;
    for (const delivery of batch) {
      let edition = editions.get(delivery.editionId);
      if (!edition) {
        edition = await deps.editions.byId(delivery.editionId);
        if (!edition) throw new Error(`send: edition ${delivery.editionId} is missing`);
        editions.set(edition.id, edition);
      }
      const message = buildMessage(edition, delivery, deps);
      try {
        const receipt = await deps.mailer.send(message);
        await deps.editions.markSent(
          edition.id,
          delivery.subscriberId,
          deps.now(),
          receipt.response,
        );
        summary.sent += 1;
        if (!summary.locations.includes(receipt.location) && summary.locations.length < 5) {
          summary.locations.push(receipt.location);
        }
      } catch (error) {
        const text = errorMessage(error);
        if (isAppError(error, "SMTP_REJECTED")) {
          await deps.editions.markFailed(edition.id, delivery.subscriberId, deps.now(), text);
          summary.failed += 1;
          summary.errors.push(`${delivery.email}: ${text}`);
          log.warn(
            { editionId: edition.id, subscriberId: delivery.subscriberId, err: text },
            "message refused",
          );
          continue;
        }
        // The transport is down or refuses us as a whole: keep everything queued.
        summary.left = await deps.editions.queuedCount();
        summary.errors.push(text);
        log.error({ editionId: edition.id, err: text }, "transport failed; deliveries stay queued");
        return summary;
      }
    }
  }
  log.info({ sent: summary.sent, failed: summary.failed }, "send finished");
  return summary;
}

function buildMessage(
  edition: Edition,
  delivery: { email: string; name?: string; messageId: string },
  deps: { site: SiteConfig; mail: Pick<MailConfig, "from" | "reply_to">; now: () => Date },
): OutgoingMessage {
  const host = new URL(deps.site.base_url).hostname;
  const to: OutgoingMessage["to"] = { address: delivery.email };
  if (delivery.name) to.name = delivery.name;
  const message: OutgoingMessage = {
    from: deps.mail.from,
    to,
    subject: edition.subject,
    html: edition.html,
    text: edition.text,
    messageId: delivery.messageId,
    date: deps.now(),
    headers: {
      "List-Id": `${deps.site.title} <${slugify(deps.site.title)}.${host}>`,
      "X-Warta-Edition": String(edition.id),
    },
  };
  if (deps.mail.reply_to) message.replyTo = deps.mail.reply_to;
  return message;
}
