import { type DigestRenderOptions, groupByCategory, renderDigest } from "../compose/index.js";
import { type NewsletterConfig, type SiteConfig, subjectFor } from "../config/index.js";
import type { Article } from "../domain/article.js";
import type { DigestContent, DigestSlot, Edition, RenderedDigest } from "../domain/digest.js";
import type { ArticleRepository, ComposedSlot, EditionRepository } from "../domain/ports.js";
import type { Frequency } from "../domain/subscriber.js";
import type { Logger } from "../shared/logger.js";
import { primaryLanguage } from "./segments.js";
import { isValidTimezone, latestSlot, periodBefore } from "./slots.js";

/** Settings the digest job reads. */
export interface DigestSettings {
  site: SiteConfig;
  newsletter: NewsletterConfig;
  templatesDir: string;
}

/** Who an edition is for: a language and a set of categories (empty: every category). */
export interface Segment {
  language: string;
  categories: string[];
}

/** What happened to one (frequency, time zone) group of subscribers in a digest run. */
export interface SlotOutcome {
  slot: DigestSlot;
  /** Active subscribers of the group. */
  subscribers: number;
  /**
   * composed: editions stored (maybe none, when nothing new matched anyone);
   * already-composed: an earlier run did it; past-grace: the slot is older than grace_hours;
   * unknown-timezone: the subscribers' time zone is not one the runtime knows.
   */
  status: "composed" | "already-composed" | "past-grace" | "unknown-timezone";
  editions: { edition: Edition; recipients: number }[];
  /** Variants that got no edition because no new article matched them. */
  emptyVariants: number;
}

/** What composing did, slot by slot. */
export interface ComposeResult {
  /** True for `warta digest` by hand: every group's slot was "now". */
  byHand: boolean;
  slots: SlotOutcome[];
}

/** Renders the digest of one variant: its language, the slot's time zone and date. */
export function renderVariantDigest(
  articles: Article[],
  variant: Segment & { start: Date },
  slot: DigestSlot,
  settings: DigestSettings,
): Promise<RenderedDigest> {
  const content: DigestContent = {
    sections: groupByCategory(articles, variant.language),
    articles,
    periodStart: variant.start,
    periodEnd: slot.at,
  };
  const options: DigestRenderOptions = {
    site: settings.site,
    subjectTemplate: subjectFor(
      settings.newsletter.subject,
      variant.language,
      settings.site.language,
    ),
    templatesDir: settings.templatesDir,
    template: settings.newsletter.template,
    date: slot.at,
    language: variant.language,
    timezone: slot.timezone,
    fullArticles: settings.newsletter.full_articles,
    maxHtmlBytes: settings.newsletter.max_html_bytes,
  };
  return renderDigest(content, options);
}

/** The articles of one variant: first seen in [start, end), its language, its categories. */
function selectVariantArticles(
  articles: ArticleRepository,
  variant: Segment & { start: Date },
  end: Date,
  limit: number,
): Promise<Article[]> {
  // A subscriber already covered up to (or past) this slot, e.g. by a digest sent by hand,
  // has nothing more to get from it.
  if (variant.start.getTime() >= end.getTime()) return Promise.resolve([]);
  return articles.firstSeenBetween(
    variant.start,
    end,
    { language: primaryLanguage(variant.language), categories: variant.categories },
    limit,
  );
}

/**
 * Composes one slot: groups its subscribers into variants, renders each variant that has
 * articles once, and stores the editions, their deliveries, everyone's new coverage and the
 * slot itself in one transaction. A slot composed before adds nothing.
 */
export async function composeSlot(deps: {
  settings: DigestSettings;
  articles: ArticleRepository;
  editions: EditionRepository;
  slot: DigestSlot;
  subscribers: number;
  now: Date;
  logger: Logger;
}): Promise<SlotOutcome> {
  const { slot, settings } = deps;
  const outcome = (status: SlotOutcome["status"]): SlotOutcome => ({
    slot,
    subscribers: deps.subscribers,
    status,
    editions: [],
    emptyVariants: 0,
  });
  if (await deps.editions.slotComposed(slot)) return outcome("already-composed");
  const defaultStart = periodBefore(slot.frequency, slot.timezone, slot.at);
  const { variants, upToId } = await deps.editions.slotVariants(slot, defaultStart);
  const composed: ComposedSlot["variants"] = [];
  let emptyVariants = 0;
  for (const variant of variants) {
    const articles = await selectVariantArticles(
      deps.articles,
      variant,
      slot.at,
      settings.newsletter.max_articles,
    );
    if (articles.length === 0) {
      // Nobody gets an empty digest.
      emptyVariants += 1;
      composed.push({ variant, edition: null });
      continue;
    }
    const rendered = await renderVariantDigest(articles, variant, slot, settings);
    composed.push({
      variant,
      edition: {
        subject: rendered.subject,
        html: rendered.html,
        text: rendered.text,
        articleIds: articles.map((a) => a.id),
      },
    });
  }
  const stored = await deps.editions.storeSlot(
    {
      slot,
      host: new URL(settings.site.base_url).hostname,
      defaultStart,
      upToId,
      variants: composed,
    },
    deps.now,
  );
  // Another process composed the slot while this one rendered: its editions stand.
  if (!stored) return outcome("already-composed");
  return { ...outcome("composed"), editions: stored.editions, emptyVariants };
}

/**
 * Composes the digests due. Scheduled (hourly): for each (frequency, time zone) of the active
 * subscribers, the latest slot at or before now, unless it was composed already or is more than
 * grace_hours old. By hand: a slot at `now` for every group, so a digest goes out at any hour.
 */
export async function composeDigests(deps: {
  settings: DigestSettings;
  articles: ArticleRepository;
  editions: EditionRepository;
  now: () => Date;
  logger: Logger;
  byHand?: boolean;
}): Promise<ComposeResult> {
  const log = deps.logger.child({ component: "digest" });
  const byHand = deps.byHand ?? false;
  const now = deps.now();
  const { newsletter } = deps.settings;
  const slots: SlotOutcome[] = [];
  for (const group of await deps.editions.digestGroups()) {
    const at = byHand
      ? now
      : latestSlot(group.frequency, group.timezone, now, {
          sendHour: newsletter.send_hour,
          weeklyDay: newsletter.weekly_day,
        });
    const slot: DigestSlot = {
      frequency: group.frequency,
      timezone: group.timezone,
      at: at ?? now,
    };
    const skipped = (status: SlotOutcome["status"]): SlotOutcome => ({
      slot,
      subscribers: group.subscribers,
      status,
      editions: [],
      emptyVariants: 0,
    });
    if (!at || !isValidTimezone(group.timezone)) {
      log.warn(
        { frequency: group.frequency, timezone: group.timezone, subscribers: group.subscribers },
        "unknown time zone; these subscribers get no digest",
      );
      slots.push(skipped("unknown-timezone"));
      continue;
    }
    if (!byHand && now.getTime() - at.getTime() > newsletter.grace_hours * 3_600_000) {
      // Missed while warta was down: the next slot carries these articles instead.
      if (!(await deps.editions.slotComposed(slot))) {
        log.info({ slot: at.toISOString(), timezone: group.timezone }, "slot past its grace");
      }
      slots.push(skipped("past-grace"));
      continue;
    }
    const outcome = await composeSlot({
      settings: deps.settings,
      articles: deps.articles,
      editions: deps.editions,
      slot,
      subscribers: group.subscribers,
      now,
      logger: log,
    });
    if (outcome.status === "composed") {
      log.info(
        {
          frequency: slot.frequency,
          timezone: slot.timezone,
          slot: slot.at.toISOString(),
          editions: outcome.editions.map((e) => e.edition.id),
          emptyVariants: outcome.emptyVariants,
        },
        "slot composed",
      );
    }
    slots.push(outcome);
  }
  return { byHand, slots };
}

/** What a preview shows: the rendered edition of one segment, and its articles. */
export interface EditionPreview {
  rendered: RenderedDigest;
  articles: Article[];
  slot: DigestSlot;
  segment: Segment;
}

/**
 * Renders the edition one segment would get if its digest were composed now (a reader who
 * never got one: the articles first seen in the last period), storing and sending nothing.
 * Null when nothing matches.
 */
export async function previewEdition(deps: {
  settings: DigestSettings;
  articles: ArticleRepository;
  now: Date;
  segment: Partial<Segment> & { frequency?: Frequency };
}): Promise<EditionPreview | null> {
  const { settings } = deps;
  const segment: Segment = {
    language: deps.segment.language ?? settings.site.language,
    categories: [...new Set(deps.segment.categories ?? [])].sort(),
  };
  const frequency = deps.segment.frequency ?? settings.newsletter.default_frequency;
  const slot: DigestSlot = { frequency, timezone: settings.site.timezone, at: deps.now };
  const variant = { ...segment, start: periodBefore(frequency, slot.timezone, slot.at) };
  const articles = await selectVariantArticles(
    deps.articles,
    variant,
    slot.at,
    settings.newsletter.max_articles,
  );
  if (articles.length === 0) return null;
  return {
    rendered: await renderVariantDigest(articles, variant, slot, settings),
    articles,
    slot,
    segment,
  };
}

/** Every edition a digest run stored. */
export function composedEditions(
  result: ComposeResult,
): { edition: Edition; recipients: number }[] {
  return result.slots.flatMap((slot) => slot.editions);
}
