import type { SiteConfig } from "../config/schema.js";
import type { Article, Category } from "../domain/article.js";
import type { DigestContent, DigestSection, RenderedDigest } from "../domain/digest.js";
import { uiStrings } from "./strings.js";
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
  /** Shown in the footer when given; may be a placeholder the mailer replaces per recipient. */
  unsubscribeUrl?: string;
  /** Shown in the footer when given, like unsubscribeUrl. */
  preferencesUrl?: string;
}

/** What the plain-text part needs: the site, the date and the footer links. */
export type DigestTextOptions = Pick<
  DigestRenderOptions,
  "site" | "date" | "unsubscribeUrl" | "preferencesUrl"
>;

/** Widest image the default layout shows: 600px body less 24px padding on each side. */
const IMAGE_MAX_WIDTH = 552;
/** Longest preheader; inbox previews show fewer characters than this. */
const PREHEADER_MAX = 150;

/**
 * The data the MJML templates see. Keys are snake_case like the configuration file, since
 * operators edit both; every key is always present (null when absent) because templates are
 * rendered in Handlebars strict mode.
 */
interface DigestView {
  lang: string;
  preheader: string;
  site: { title: string; description: string; url: string };
  date: string;
  date_iso: string;
  count: number;
  count_label: string;
  sections: SectionView[];
  strings: {
    read_more: string;
    subscribed_to: string;
    unsubscribe: string;
    preferences: string;
  };
  unsubscribe_url: string | null;
  preferences_url: string | null;
}

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
}

interface ImageView {
  url: string;
  alt: string;
  width: number | null;
  height: number | null;
  /** Width and height to show it at, scaled down to fit the layout; null when unknown. */
  display_width: number | null;
  display_height: number | null;
}

/**
 * Renders a digest edition: the subject, the HTML from the MJML templates and a plain-text part.
 * @example
 * const digest = await renderDigest(content, {
 *   site, subjectTemplate: "{{site}}: berita {{date}}", templatesDir: "templates",
 *   template: "digest.mjml", date: new Date(),
 * });
 */
export async function renderDigest(
  content: DigestContent,
  options: DigestRenderOptions,
): Promise<RenderedDigest> {
  const view = buildDigestView(content, options);
  const subject = renderTextTemplate(
    options.subjectTemplate,
    { site: view.site.title, date: view.date, count: view.count },
    "newsletter.subject",
  )
    // A subject is one header line: newlines from the template or the data must not split it.
    .replace(/\s+/g, " ")
    .trim();
  const html = await renderMjmlTemplate(options.templatesDir, options.template, {
    ...view,
    subject,
  });
  return { subject, html, text: formatDigestText(view) };
}

/** Builds the plain-text alternative of a digest from its data (not from the HTML). */
export function renderDigestText(content: DigestContent, options: DigestTextOptions): string {
  return formatDigestText(buildDigestView(content, options));
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

function buildDigestView(content: DigestContent, options: DigestTextOptions): DigestView {
  const { site } = options;
  const strings = uiStrings(site.language);
  const sections = (
    content.sections.length > 0
      ? content.sections
      : groupByCategory(content.articles, site.language)
  ).filter((section) => section.articles.length > 0);

  const sectionViews = sections.map((section): SectionView => {
    const articles = section.articles.map((article) => buildArticleView(article, site));
    return {
      name: section.category.name,
      slug: section.category.slug,
      count: articles.length,
      count_label: strings.countArticles(articles.length),
      articles,
    };
  });
  const count = sectionViews.reduce((sum, section) => sum + section.count, 0);
  const countLabel = strings.countArticles(count);
  const titles = sectionViews.flatMap((section) => section.articles.map((a) => a.title));

  return {
    lang: site.language,
    preheader: truncate(titles.length > 0 ? `${countLabel}: ${titles.join(" · ")}` : countLabel),
    site: { title: site.title, description: site.description, url: site.base_url },
    date: formatDate(options.date, site.language, site.timezone),
    date_iso: formatIsoDay(options.date, site.timezone),
    count,
    count_label: countLabel,
    sections: sectionViews,
    strings: {
      read_more: strings.readMore,
      subscribed_to: strings.subscribedTo.replace("{site}", site.title),
      unsubscribe: strings.unsubscribe,
      preferences: strings.preferences,
    },
    unsubscribe_url: options.unsubscribeUrl ?? null,
    preferences_url: options.preferencesUrl ?? null,
  };
}

function buildArticleView(article: Article, site: SiteConfig): ArticleView {
  const url = httpUrl(article.url, site.base_url) ?? site.base_url;
  const summary = article.summary.trim();
  return {
    id: article.id,
    title: article.title,
    url,
    date: formatShortDate(article.published, site.language, site.timezone),
    date_iso: formatIsoDay(article.published, site.timezone),
    author: article.author?.trim() || null,
    summary: summary || null,
    image: buildImageView(article, url),
  };
}

function buildImageView(article: Article, articleUrl: string): ImageView | null {
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
    url,
    // The image links to the article, so without its own alt text it is named by the title.
    alt: image.alt?.trim() || article.title,
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

function positive(value: number | undefined): number | null {
  return value !== undefined && Number.isFinite(value) && value > 0 ? Math.round(value) : null;
}

function truncate(text: string): string {
  const chars = [...text];
  return chars.length <= PREHEADER_MAX ? text : `${chars.slice(0, PREHEADER_MAX - 1).join("")}…`;
}

function formatDigestText(view: DigestView): string {
  const lines: string[] = [view.site.title, `${view.date} · ${view.count_label}`, ""];
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
  lines.push("-- ", `${view.site.title} · ${view.site.url}`, view.strings.subscribed_to);
  if (view.preferences_url) lines.push(`${view.strings.preferences}: ${view.preferences_url}`);
  if (view.unsubscribe_url) lines.push(`${view.strings.unsubscribe}: ${view.unsubscribe_url}`);
  return `${lines.join("\n")}\n`;
}
