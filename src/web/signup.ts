import type { MailConfig, NewsletterConfig, SiteConfig } from "../config/index.js";
import type { Mailer, OutgoingMessage, SubscriberRepository } from "../domain/ports.js";
import type { Subscriber } from "../domain/subscriber.js";
import { errorMessage } from "../shared/errors.js";
import type { Logger } from "../shared/logger.js";
import { confirmUrl, subscriberLinks } from "../subscriptions/links.js";
import type { TokenSigner } from "../subscriptions/tokens.js";
import type { PreferenceValues } from "./forms.js";
import { alreadySubscribedEmail, confirmationEmail, type MailContext } from "./mail.js";
import type { SubscribeLimits } from "./rate-limit.js";

/** What a sign-up did; the page shown is the same whatever it is. */
export type SignupOutcome =
  | "confirmation-sent"
  | "reminder-sent"
  | "address-limited"
  | "suppressed";

/** What sign-ups need: the store, the mail transport, the signer and the clock. */
export interface SignupDeps {
  site: Pick<SiteConfig, "title" | "base_url">;
  newsletter: Pick<NewsletterConfig, "confirm_hours">;
  mail: Pick<MailConfig, "from" | "reply_to">;
  subscribers: SubscriberRepository;
  mailer: () => Mailer;
  tokens: TokenSigner;
  limits: SubscribeLimits;
  now: () => Date;
  logger: Logger;
}

/**
 * Double opt-in sign-ups from the subscription form. The emails go out in the background, so
 * that the answer takes the same time whether an email is sent or not: neither the page nor
 * its timing tells whether an address is subscribed.
 */
export class Signups {
  private readonly sending = new Set<Promise<void>>();
  private readonly log: Logger;

  constructor(private readonly deps: SignupDeps) {
    this.log = deps.logger.child({ component: "signup" });
  }

  /**
   * Handles a valid form: a new, unsubscribed or bounced address becomes pending and gets a
   * confirmation email (so does a pending one, again); an active one gets its preferences
   * link; a complained one gets nothing. Past the per-address limit nothing happens at all.
   */
  async subscribe(
    values: PreferenceValues & { email: string },
    clientIp: string,
  ): Promise<SignupOutcome> {
    const { deps } = this;
    if (!(await deps.limits.takeAddress(values.email)).allowed) {
      this.log.info("subscribe: per-address limit reached; no email sent");
      return "address-limited";
    }
    const now = deps.now();
    const preferences = {
      name: values.name === "" ? null : values.name,
      language: values.language,
      timezone: values.timezone,
      frequency: values.frequency,
      categories: values.categories,
    };
    const consent = { source: "form" as const, ip: clientIp };
    const { subscriber, created } = await deps.subscribers.create(
      {
        email: values.email,
        ...(values.name ? { name: values.name } : {}),
        language: values.language,
        timezone: values.timezone,
        frequency: values.frequency,
        categories: values.categories,
        status: "pending",
        consentSource: "form",
        consentIp: clientIp,
      },
      now,
    );
    let stored: Subscriber | undefined = subscriber;
    if (!created) {
      switch (subscriber.status) {
        case "complained":
          // Someone who reported our mail as spam never hears from us again.
          this.log.info({ subscriberId: subscriber.id }, "subscribe: complained address ignored");
          return "suppressed";
        case "active":
          this.queue(
            alreadySubscribedEmail(
              this.mailContext(subscriber, values.language, now),
              subscriberLinks(deps.site.base_url, deps.tokens, subscriber, now).preferences,
            ),
            subscriber.id,
          );
          return "reminder-sent";
        case "pending":
          // The newest form wins: the confirmation applies to what was asked last.
          stored = await deps.subscribers.update(subscriber.id, preferences, now);
          break;
        case "unsubscribed":
        case "bounced":
          await deps.subscribers.update(subscriber.id, preferences, now);
          stored = await deps.subscribers.setStatus(subscriber.id, "pending", now, consent);
          break;
      }
    }
    if (!stored) return "suppressed";
    const link = confirmUrl(
      deps.site.base_url,
      deps.tokens,
      stored,
      now,
      deps.newsletter.confirm_hours,
    );
    this.queue(
      confirmationEmail(
        this.mailContext(stored, values.language, now),
        link,
        deps.newsletter.confirm_hours,
      ),
      stored.id,
    );
    return "confirmation-sent";
  }

  /** Waits for the emails still being sent. */
  async drain(): Promise<void> {
    while (this.sending.size > 0) await Promise.all([...this.sending]);
  }

  private mailContext(subscriber: Subscriber, language: "id" | "en", now: Date): MailContext {
    const to: MailContext["to"] = { address: subscriber.email };
    if (subscriber.name) to.name = subscriber.name;
    return { site: this.deps.site, mail: this.deps.mail, language, to, now };
  }

  private queue(message: OutgoingMessage, subscriberId: number): void {
    const sent = (async () => {
      try {
        await this.deps.mailer().send(message);
        this.log.info({ subscriberId }, "subscription email sent");
      } catch (error) {
        this.log.error(
          { subscriberId, err: errorMessage(error) },
          "cannot send a subscription email",
        );
      }
    })();
    this.sending.add(sent);
    void sent.finally(() => this.sending.delete(sent));
  }
}
