import Handlebars from "handlebars";
import type { SiteConfig } from "../config/schema.js";
import type { Article, Category } from "../domain/article.js";
import type {
  DigestContent,
  DigestSection,
  RenderedDigest as StoredDigest,
} from "../domain/digest.js";
import { AppError, errorMessage } from "../shared/errors.js";
import {
  escapeHtml,
  PersonalizedTemplate,
  placeholders,
  type RecipientValues,
  stripPlaceholderMarks,
} from "./personalize.js";
import { type UiStrings, uiStrings } from "./strings.js";
import { renderMjmlTemplate, renderTextTemplate } from "./template.js";

/** What renderDigest needs besides the articles. */
export interface DigestRenderOptions {
  site: SiteConfig;
  /** Subject line, a Handlebars template with {{site}}, {{date}} and {{count}}. */
  subjectTemplate: string;
  /** Folder of the operator-editable templates. */
  templatesDir: string;
  /** File name of the layout inside templatesDir, e.g. "digest.mjml". */
  template: string;
  /** The edition's date. */
  date: Date;
  /** Language of the UI strings, the dates and the lang attribute ("id", "en"); default site.language. */
  language?: string;
  /** Time zone of the dates; default site.timezone. */
  timezone?: string;
  /** How many articles (in reading order) are shown as full cards; the rest as headlines. */
  fullArticles: number;
  /**
   * Largest HTML in bytes once personalised with worst-case recipient values. Past it, the last
   * cards become headlines, and in the extreme the last headlines are left out.
   */
  maxHtmlBytes: number;
}

/** What the plain-text part needs: the site, the date, the language and the card count. */
export type DigestTextOptions = Pick<
  DigestRenderOptions,
  "site" | "date" | "language" | "timezone"
> & {
  /** Articles shown as full entries (summary); default all of them. */
  fullArticles?: number;
};

/**
 * A rendered digest variant. `html` and `text` contain the placeholders of personalize.ts
 * (greeting, web_url, preferences_url, unsubscribe_url) where each recipient's values go.
 */
export interface RenderedDigest extends StoredDigest {
  /** Articles shown as full cards. */
  fullArticles: number;
  /** Articles shown as headlines only. */
  headlines: number;
}

/** Widest image the default layout shows: 600px body less 24px padding on each side. */
const IMAGE_MAX_WIDTH = 552;
/** Longest preheader; inbox previews show fewer characters than this. */
const PREHEADER_MAX = 150;
/** URL length assumed for the per-recipient links when checking the size limit. */
const WORST_URL_LENGTH = 250;
/** Name length assumed when checking the size limit. */
const WORST_NAME_LENGTH = 60;

/**
 * The data the MJML templates see. Keys are snake_case like the configuration file, since
 * operators edit both; every key is always present (null when absent) because templates are
 * rendered in Handlebars strict mode. Keep the list in templates/digest.mjml up to date.
 */
interface DigestView {
  lang: string;
  preheader: string;
  site: { title: string; description: string; url: string };
  date: string;
  date_iso: string;
  /** Articles in this email: cards plus headlines. */
  count: number;
  count_label: string;
  /** Sections of the articles shown as full cards. */
  sections: SectionView[];
  /** Articles shown as headlines only, in reading order. */
  headlines: HeadlineView[];
  /** "12 artikel lainnya sebagai judul"; null when every article is a card. */
  headlines_note: string | null;
  /** Articles left out because even headlines did not fit; 0 normally. */
  omitted: number;
  omitted_note: string | null;
  strings: {
    read_more: string;
    subscribed_to: string;
    unsubscribe: string;
    preferences: string;
    view_in_browser: string;
    headlines_heading: string;
  };
  /** Per-recipient values; placeholders in the shared rendering. */
  recipient: RecipientView;
  /** Aliases of recipient.unsubscribe_url and recipient.preferences_url for older templates. */
  unsubscribe_url: RecipientValue;
  preferences_url: RecipientValue;
}

/** A recipient value as the templates see it: placeholder text, or a value escaped once. */
type RecipientValue = string | Handlebars.SafeString;
type RecipientView = Record<keyof RecipientValues, RecipientValue>;

interface SectionView {
  name: string;
  slug: string;
  count: number;
  count_label: string;
  articles: ArticleView[];
}

interface ArticleView {
  id: string;
  title: string;
  url: string;
  date: string;
  date_iso: string;
  author: string | null;
  summary: string | null;
  image: ImageView | null;
  /** Name of the article's section, for the headline list. */
  section: string;
}

type HeadlineView = Pick<ArticleView, "id" | "title" | "url" | "date" | "date_iso" | "section">;

interface ImageView {
  url: string;
  alt: string;
  width: number | null;
  height: number | null;
  /** Width and height to show it at, scaled down to fit the layout; null when unknown. */
  display_width: number | null;
  display_height: number | null;
}

/** Everything of the view that does not depend on how many cards are shown. */
interface PreparedDigest {
  language: string;
  strings: UiStrings;
  site: DigestView["site"];
  date: string;
  dateIso: string;
  /** Articles in reading order: sections in order, articles within them in order. */
  articles: Array<ArticleView & { slug: string }>;
}

/** How many articles are cards and how many headlines; the rest are left out. */
interface Layout {
  cards: number;
  headlines: number;
}

/** One rendering of the shared (placeholder) variant. */
interface Attempt {
  layout: Layout;
  subject: string;
  html: string;
  text: string;
  bytes: number;
}

/**
 * Renders a digest variant: the subject, the HTML from the MJML templates and a plain-text
 * part, both with recipient placeholders (fill them with PersonalizedTemplate). The first
 * `fullArticles` articles are cards, the rest headlines; when the HTML, personalised with
 * worst-case values, exceeds `maxHtmlBytes`, cards become headlines until it fits.
 * Throws AppError TEMPLATE_READ, TEMPLATE_RENDER or MJML_INVALID naming the file and line.
 * @example
 * const digest = await renderDigest(content, {
 *   site, subjectTemplate: "{{site}}: berita {{date}}", templatesDir: "templates",
 *   template: "digest.mjml", date: new Date(), fullArticles: 10, maxHtmlBytes: 95_000,
 * });
 * const html = PersonalizedTemplate.compile(digest.html, "html").fill(recipientValues);
 */
export async function renderDigest(
  content: DigestContent,
  options: DigestRenderOptions,
): Promise<RenderedDigest> {
  const prepared = prepareDigest(content, options);
  const attempt = await fitDigest(prepared, options);
  return toRendered(attempt);
}

/**
 * The reference path personalisation replaces: renders the whole digest with one recipient's
 * values in the template data instead of placeholders. Its output equals filling the
 * renderDigest output with the same values; used by tests and the personalisation benchmark.
 */
export async function renderDigestForRecipient(
  content: DigestContent,
  options: DigestRenderOptions,
  recipient: RecipientValues,
): Promise<RenderedDigest> {
  const prepared = prepareDigest(content, options);
  // The layout is chosen with worst-case values, as for the shared variant, so that every
  // recipient of a variant gets the same articles whatever their own links' lengths.
  const { layout } = await fitDigest(prepared, options);
  return toRendered(await renderAttempt(prepared, options, layout, recipient));
}

/** Builds the plain-text alternative of a digest from its data (not from the HTML). */
export function renderDigestText(content: DigestContent, options: DigestTextOptions): string {
  const prepared = prepareDigest(content, options);
  const total = prepared.articles.length;
  const cards = clamp(options.fullArticles ?? total, 0, total);
  return formatDigestText(buildView(prepared, { cards, headlines: total - cards }, null));
}

/**
 * Groups articles into sections: each article once, under its first category, newest first;
 * sections ordered by their newest article; articles without a category go to "Lainnya"/"Other".
 */
export function groupByCategory(articles: Article[], language = "id"): DigestSection[] {
  const other = uiStrings(language).other;
  const sections = new Map<string, DigestSection>();
  const seen = new Set<string>();
  for (const article of articles) {
    if (seen.has(article.id)) continue;
    seen.add(article.id);
    const category: Category = article.categories[0] ?? other;
    const section = sections.get(category.slug);
    if (section) section.articles.push(article);
    else sections.set(category.slug, { category: { ...category }, articles: [article] });
  }
  const byNewest = (a: Article, b: Article) => b.published.getTime() - a.published.getTime();
  const result = [...sections.values()];
  for (const section of result) section.articles.sort(byNewest);
  // Array.prototype.sort is stable: sections whose newest articles tie keep their first-seen order.
  return result.sort((a, b) => byNewest(a.articles[0]!, b.articles[0]!));
}

/** Formats a date as a long day in the given language and time zone ("Sabtu, 4 Mei 2024"). */
export function formatDate(date: Date, language: string, timezone: string): string {
  return new Intl.DateTimeFormat(language, {
    weekday: "long",
    day: "numeric",
    month: "long",
    year: "numeric",
    timeZone: timezone,
  }).format(date);
}

/**
 * Recipient values at least as long as real ones, to check the size limit: links of
 * WORST_URL_LENGTH characters under the site, a WORST_NAME_LENGTH-character name.
 */
export function worstCaseRecipient(baseUrl: string): RecipientValues {
  const link = (page: string) => {
    const start = `${new URL(page, baseUrl).href}?token=`;
    return start + "x".repeat(Math.max(8, WORST_URL_LENGTH - start.length));
  };
  // Two-byte letters: names are often not ASCII, and this errs on the large side.
  const name = "Ñ".repeat(WORST_NAME_LENGTH);
  return {
    name,
    greeting: `Selamat pagi, ${name}!`,
    unsubscribe_url: link("unsubscribe"),
    preferences_url: link("preferences"),
    web_url: link("newsletter/000000/"),
  };
}

/** Finds the most cards (then headlines) whose worst-case HTML fits; O(log n) renders. */
async function fitDigest(prepared: PreparedDigest, options: DigestRenderOptions): Promise<Attempt> {
  const total = prepared.articles.length;
  const limit = options.maxHtmlBytes;
  const worst = worstCaseRecipient(prepared.site.url);
  const attempt = async (layout: Layout) => {
    const rendered = await renderAttempt(prepared, options, layout, null);
    return { ...rendered, bytes: measureHtml(rendered.html, worst, options.template) };
  };

  const wanted = clamp(Math.floor(options.fullArticles), 0, total);
  const first = await attempt({ cards: wanted, headlines: total - wanted });
  if (first.bytes <= limit) return first;

  // Fewer cards never make the HTML larger, so the largest count that fits is found by
  // bisection over [0, wanted): at most log2(wanted) + 1 more renders.
  const cards = await largestFitting(0, wanted - 1, limit, (n) =>
    attempt({ cards: n, headlines: total - n }),
  );
  if (cards) return cards;
  // Not even headlines alone fit: keep as many of them as fit, and the digest says the rest
  // were left out.
  const headlines = await largestFitting(0, total - 1, limit, (n) =>
    attempt({ cards: 0, headlines: n }),
  );
  if (headlines) return headlines;
  throw new AppError(
    "TEMPLATE_RENDER",
    `compose: ${options.template}: even without articles the digest is over the limit of ${limit} bytes (newsletter.max_html_bytes)`,
  );
}

/** The attempt with the largest n in [from, to] that fits in `limit` bytes, if any. */
async function largestFitting(
  from: number,
  to: number,
  limit: number,
  render: (n: number) => Promise<Attempt>,
): Promise<Attempt | undefined> {
  let low = from;
  let high = to;
  let best: Attempt | undefined;
  while (low <= high) {
    const middle = Math.floor((low + high) / 2);
    const result = await render(middle);
    if (result.bytes <= limit) {
      best = result;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return best;
}

/** Size of the HTML filled with the given values; checks the placeholders on the way. */
function measureHtml(html: string, values: RecipientValues, template: string): number {
  const compiled = compileHtml(html, template);
  // Every digest must let its reader leave: a template without the link is refused here,
  // before any edition is stored.
  if (!compiled.usedFields.includes("unsubscribe_url")) {
    throw new AppError(
      "TEMPLATE_RENDER",
      `compose: ${template}: the template must link {{recipient.unsubscribe_url}} (every digest needs an unsubscribe link)`,
    );
  }
  return compiled.byteLength(values);
}

function compileHtml(html: string, template: string): PersonalizedTemplate {
  try {
    return PersonalizedTemplate.compile(html, "html");
  } catch (error) {
    throw new AppError("TEMPLATE_RENDER", `compose: ${template}: ${errorMessage(error)}`, {
      cause: error,
    });
  }
}

/** Renders one layout; with `recipient`, that recipient's values instead of placeholders. */
async function renderAttempt(
  prepared: PreparedDigest,
  options: DigestRenderOptions,
  layout: Layout,
  recipient: RecipientValues | null,
): Promise<Omit<Attempt, "bytes">> {
  const view = buildView(prepared, layout, recipient);
  const subject = stripPlaceholderMarks(
    renderTextTemplate(
      options.subjectTemplate,
      { site: view.site.title, date: view.date, count: view.count },
      "newsletter.subject",
    ),
  )
    // A subject is one header line: newlines from the template or the data must not split it.
    .replace(/\s+/g, " ")
    .trim();
  const html = await renderMjmlTemplate(options.templatesDir, options.template, {
    ...htmlView(view, recipient),
    subject,
  });
  return { layout, subject, html, text: formatDigestText(view) };
}

function toRendered(attempt: Omit<Attempt, "bytes">): RenderedDigest {
  return {
    subject: attempt.subject,
    html: attempt.html,
    text: attempt.text,
    fullArticles: attempt.layout.cards,
    headlines: attempt.layout.headlines,
  };
}

/**
 * The view as the HTML template gets it. Recipient values are escaped here, with the same
 * function PersonalizedTemplate uses, and handed to Handlebars as safe strings: the HTML is
 * then byte for byte what filling the placeholders gives.
 */
function htmlView(view: DigestView, recipient: RecipientValues | null): DigestView {
  if (!recipient) return view;
  const safe = Object.fromEntries(
    Object.entries(recipient).map(([field, value]) => [
      field,
      new Handlebars.SafeString(escapeHtml(value)),
    ]),
  ) as RecipientView;
  return {
    ...view,
    recipient: safe,
    unsubscribe_url: safe.unsubscribe_url,
    preferences_url: safe.preferences_url,
  };
}

/** "4 Mei 2024": the date of an article, without the weekday. */
function formatShortDate(date: Date, language: string, timezone: string): string {
  return new Intl.DateTimeFormat(language, {
    day: "numeric",
    month: "long",
    year: "numeric",
    timeZone: timezone,
  }).format(date);
}

/** "2024-05-04" in the given time zone, for <time datetime> and custom templates. */
function formatIsoDay(date: Date, timezone: string): string {
  return new Intl.DateTimeFormat("en-CA", {
    day: "2-digit",
    month: "2-digit",
    year: "numeric",
    timeZone: timezone,
  }).format(date);
}

/**
 * Formats everything that does not depend on the layout. Every string that comes from
 * articles or configuration goes through stripPlaceholderMarks: only the template's own
 * recipient fields may produce a placeholder.
 */
function prepareDigest(content: DigestContent, options: DigestTextOptions): PreparedDigest {
  const { site } = options;
  const language = options.language ?? site.language;
  const timezone = options.timezone ?? site.timezone;
  const strings = uiStrings(language);
  const sections = (
    content.sections.length > 0 ? content.sections : groupByCategory(content.articles, language)
  ).filter((section) => section.articles.length > 0);
  const format = { language, timezone, baseUrl: site.base_url };

  const articles = sections.flatMap((section) =>
    section.articles.map((article) => ({
      ...buildArticleView(article, format, clean(section.category.name)),
      slug: clean(section.category.slug),
    })),
  );
  return {
    language,
    strings,
    site: {
      title: clean(site.title),
      description: clean(site.description),
      url: clean(site.base_url),
    },
    date: formatDate(options.date, language, timezone),
    dateIso: formatIsoDay(options.date, timezone),
    articles,
  };
}

/** The template data for one layout; recipient values are placeholders when not given. */
function buildView(
  prepared: PreparedDigest,
  layout: Layout,
  recipient: RecipientValues | null,
): DigestView {
  const { strings, site } = prepared;
  const cards = prepared.articles.slice(0, layout.cards);
  const headlines = prepared.articles.slice(layout.cards, layout.cards + layout.headlines);
  const omitted = prepared.articles.length - cards.length - headlines.length;

  const sections: SectionView[] = [];
  for (const { slug, ...article } of cards) {
    const last = sections[sections.length - 1];
    if (last && last.slug === slug) last.articles.push(article);
    else
      sections.push({
        name: article.section,
        slug,
        count: 0,
        count_label: "",
        articles: [article],
      });
  }
  for (const section of sections) {
    section.count = section.articles.length;
    section.count_label = strings.countArticles(section.count);
  }

  const count = cards.length + headlines.length;
  const countLabel = strings.countArticles(count);
  const titles = [...cards, ...headlines].map((article) => article.title);
  const values: RecipientValues = recipient ?? placeholders;

  return {
    lang: prepared.language,
    preheader: truncate(titles.length > 0 ? `${countLabel}: ${titles.join(" · ")}` : countLabel),
    site,
    date: prepared.date,
    date_iso: prepared.dateIso,
    count,
    count_label: countLabel,
    sections,
    headlines: headlines.map(({ id, title, url, date, date_iso, section }) => ({
      id,
      title,
      url,
      date,
      date_iso,
      section,
    })),
    headlines_note: headlines.length > 0 ? strings.moreAsHeadlines(headlines.length) : null,
    omitted,
    omitted_note: omitted > 0 ? strings.omitted(omitted) : null,
    strings: {
      read_more: strings.readMore,
      subscribed_to: strings.subscribedTo.replace("{site}", site.title),
      unsubscribe: strings.unsubscribe,
      preferences: strings.preferences,
      view_in_browser: strings.viewInBrowser,
      headlines_heading: strings.headlinesHeading,
    },
    recipient: { ...values },
    unsubscribe_url: values.unsubscribe_url,
    preferences_url: values.preferences_url,
  };
}

function buildArticleView(
  article: Article,
  format: { language: string; timezone: string; baseUrl: string },
  section: string,
): ArticleView {
  const url = clean(httpUrl(article.url, format.baseUrl) ?? format.baseUrl);
  const title = clean(article.title);
  const summary = clean(article.summary).trim();
  return {
    id: clean(article.id),
    title,
    url,
    date: formatShortDate(article.published, format.language, format.timezone),
    date_iso: formatIsoDay(article.published, format.timezone),
    author: clean(article.author ?? "").trim() || null,
    summary: summary || null,
    image: buildImageView(article, url, title),
    section,
  };
}

function buildImageView(article: Article, articleUrl: string, title: string): ImageView | null {
  const image = article.image;
  if (!image) return null;
  // Mail clients have no base URL: a relative image path must be made absolute here.
  const url = httpUrl(image.url, articleUrl);
  if (!url) return null;
  const width = positive(image.width);
  const height = positive(image.height);
  let displayWidth: number | null = null;
  let displayHeight: number | null = null;
  if (width !== null) {
    displayWidth = Math.min(width, IMAGE_MAX_WIDTH);
    displayHeight = height === null ? null : Math.round((height * displayWidth) / width);
  }
  return {
    url: clean(url),
    // The image links to the article, so without its own alt text it is named by the title.
    alt: clean(image.alt ?? "").trim() || title,
    width,
    height,
    display_width: displayWidth,
    display_height: displayHeight,
  };
}

/** Resolves a URL against a base and keeps it only if it is http(s): no javascript: links. */
function httpUrl(value: string, base: string): string | null {
  try {
    const url = new URL(value, base);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  } catch {
    return null;
  }
}

/** Untrusted text with any placeholder delimiters removed. */
function clean(text: string): string {
  return stripPlaceholderMarks(text);
}

function positive(value: number | undefined): number | null {
  return value !== undefined && Number.isFinite(value) && value > 0 ? Math.round(value) : null;
}

function clamp(value: number, min: number, max: number): number {
  return Number.isFinite(value) ? Math.min(Math.max(value, min), max) : max;
}

function truncate(text: string): string {
  const chars = [...text];
  return chars.length <= PREHEADER_MAX ? text : `${chars.slice(0, PREHEADER_MAX - 1).join("")}…`;
}

/** The plain-text part, from the same view as the HTML; recipient values stay as given. */
function formatDigestText(view: DigestView): string {
  const recipient = view.recipient as RecipientValues;
  const lines: string[] = [
    view.site.title,
    `${view.date} · ${view.count_label}`,
    `${view.strings.view_in_browser}: ${recipient.web_url}`,
    "",
    recipient.greeting,
    "",
  ];
  for (const section of view.sections) {
    lines.push(section.name, "=".repeat([...section.name].length), "");
    for (const article of section.articles) {
      lines.push(
        article.title,
        article.author ? `${article.date} · ${article.author}` : article.date,
      );
      if (article.summary) lines.push(article.summary);
      lines.push(`${view.strings.read_more}: ${article.url}`, "");
    }
  }
  if (view.headlines.length > 0) {
    const heading = view.strings.headlines_heading;
    lines.push(heading, "=".repeat([...heading].length));
    if (view.headlines_note) lines.push(`(${view.headlines_note})`);
    lines.push("");
    for (const headline of view.headlines) {
      lines.push(
        `- ${headline.title}`,
        `  ${headline.date} · ${headline.section}`,
        `  ${headline.url}`,
      );
    }
    lines.push("");
  }
  if (view.omitted_note) lines.push(view.omitted_note, "");
  lines.push(
    "-- ",
    `${view.site.title} · ${view.site.url}`,
    view.strings.subscribed_to,
    `${view.strings.preferences}: ${recipient.preferences_url}`,
    `${view.strings.unsubscribe}: ${recipient.unsubscribe_url}`,
  );
  return `${lines.join("\n")}\n`;
}
