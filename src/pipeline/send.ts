import { PersonalizedTemplate, type RecipientValues } from "../compose/index.js";
import type { MailConfig, NewsletterConfig, SiteConfig } from "../config/index.js";
import type { Delivery, Edition } from "../domain/digest.js";
import type { EditionRepository, Mailer, OutgoingMessage } from "../domain/ports.js";
import { errorMessage, isAppError } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";
import { slugify } from "../shared/slug.js";
import { editionUrl, subscriberLinks } from "../subscriptions/links.js";
import type { TokenSigner } from "../subscriptions/tokens.js";
import { greetingFor } from "./segments.js";

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

/** What sending needs to know besides the deliveries. */
export interface SendSettings {
  site: SiteConfig;
  mail: Pick<MailConfig, "from" | "reply_to">;
  newsletter: Pick<NewsletterConfig, "unsubscribe_mailto">;
  /** Signs the preferences and unsubscribe links of each message. */
  tokens: TokenSigner;
}

/** An edition compiled for personalisation: split at its placeholders once, filled per message. */
interface CompiledEdition {
  edition: Edition;
  subject: PersonalizedTemplate;
  html: PersonalizedTemplate;
  text: PersonalizedTemplate;
}

/** Compiled editions kept at once; deliveries come in edition order, so few are ever needed. */
const EDITION_CACHE = 16;

/**
 * Sends every queued delivery through the mailer, recording each result as it happens. Each
 * message is the edition filled with its recipient's greeting and signed links.
 * A message the server refuses is marked failed and the run goes on; when the transport
 * itself is unreachable the run stops and the rest stays queued for the next one.
 * Deliveries of subscribers who are no longer active are not sent.
 */
export async function sendQueued(
  deps: SendSettings & {
    editions: EditionRepository;
    mailer: Mailer;
    now: () => Date;
    logger: Logger;
    batchSize?: number;
  },
): Promise<SendSummary> {
  const log = deps.logger.child({ component: "send", transport: deps.mailer.kind });
  const summary: SendSummary = {
    sent: 0,
    failed: 0,
    left: 0,
    transport: deps.mailer.kind,
    locations: [],
    errors: [],
  };
  const compiled = new Map<number, CompiledEdition>();
  const batchSize = deps.batchSize ?? 100;
  for (;;) {
    const batch = await deps.editions.queued(batchSize);
    if (batch.length === 0) break;
    for (const delivery of batch) {
      let entry = compiled.get(delivery.editionId);
      if (!entry) {
        const edition = await deps.editions.byId(delivery.editionId);
        if (!edition) throw new Error(`send: edition ${delivery.editionId} is missing`);
        if (compiled.size >= EDITION_CACHE) compiled.clear();
        entry = compileEdition(edition);
        compiled.set(edition.id, entry);
      }
      const { edition } = entry;
      const message = buildMessage(entry, delivery, deps, deps.now());
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

/** Splits an edition's subject, HTML and text at their placeholders. */
function compileEdition(edition: Edition): CompiledEdition {
  return {
    edition,
    subject: PersonalizedTemplate.compile(edition.subject, "text"),
    html: PersonalizedTemplate.compile(edition.html, "html"),
    text: PersonalizedTemplate.compile(edition.text, "text"),
  };
}

/** One recipient's values: greeting in the edition's language, signed links, web version. */
function recipientValues(
  edition: Pick<Edition, "id" | "language">,
  delivery: Pick<Delivery, "subscriberId" | "email" | "name" | "language">,
  links: { preferences: string; unsubscribe: string },
  baseUrl: string,
): RecipientValues {
  return {
    name: delivery.name ?? "",
    // Editions made before segments existed have no language: the reader's own then.
    greeting: greetingFor(edition.language || delivery.language, delivery.name),
    unsubscribe_url: links.unsubscribe,
    preferences_url: links.preferences,
    web_url: editionUrl(baseUrl, edition.id),
  };
}

/**
 * The message of one delivery, with the headers every digest carries: the stable Message-ID,
 * List-Id, and List-Unsubscribe (https one-click, RFC 8058, and mailto when configured).
 */
function buildMessage(
  compiled: CompiledEdition,
  delivery: Delivery,
  settings: SendSettings,
  now: Date,
): OutgoingMessage {
  const { edition } = compiled;
  const { site } = settings;
  const host = new URL(site.base_url).hostname;
  const links = subscriberLinks(
    site.base_url,
    settings.tokens,
    { id: delivery.subscriberId, email: delivery.email },
    now,
  );
  const values = recipientValues(edition, delivery, links, site.base_url);
  const unsubscribe = [`<${links.unsubscribe}>`];
  const mailto = settings.newsletter.unsubscribe_mailto;
  if (mailto) unsubscribe.push(`<mailto:${mailto}?subject=unsubscribe%20${links.token}>`);
  const to: OutgoingMessage["to"] = { address: delivery.email };
  if (delivery.name) to.name = delivery.name;
  const message: OutgoingMessage = {
    from: settings.mail.from,
    to,
    subject: compiled.subject.fill(values),
    html: compiled.html.fill(values),
    text: compiled.text.fill(values),
    messageId: delivery.messageId,
    date: now,
    headers: {
      "List-Id": `${site.title} <${slugify(site.title)}.${host}>`,
      "List-Unsubscribe": unsubscribe.join(", "),
      "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
      "X-Warta-Edition": String(edition.id),
    },
  };
  if (settings.mail.reply_to) message.replyTo = settings.mail.reply_to;
  return message;
}
