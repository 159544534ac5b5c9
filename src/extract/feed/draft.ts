import type { ArticleDraft, FeedEntry, ParsedFeed } from "../../domain/index.js";
import { htmlToText } from "../html-text.js";

/** Below this many characters (or two paragraphs) a body may be a teaser. */
const EXCERPT_MAX_CHARS = 500;
/** A title made from the text is cut at this length. */
const TITLE_MAX_CHARS = 100;

/** How publishers end a teaser: an ellipsis, "[...]", "Read more", "Baca selengkapnya". */
const TRUNCATION_RE =
  /(?:…|\.{3}|\[\s*(?:…|\.{3}|&hellip;)\s*\]|\(\s*(?:…|\.{3})\s*\)|\bread more|\bcontinue reading|\bread the (?:full|rest)(?: (?:story|article|post))?|\bbaca selengkapnya|\bselengkapnya|\bbaca (?:lebih )?lanjut|\blanjut(?:kan)? membaca|\bbaca artikel lengkap)[\s»›→>.:!)\]-]*$/i;

/** WordPress's feed footer, which follows the excerpt's own ending. */
const WORDPRESS_FOOTER_RE = /\n?The post .+ appeared first on .+\.?$/;

/**
 * Turns a feed entry into an article draft: content (or else the summary) as HTML and text,
 * the summary as plain text. An entry with only an update time is taken as published then.
 */
export function feedEntryToDraft(entry: FeedEntry, feed: ParsedFeed): ArticleDraft {
  const contentHtml = entry.contentHtml ?? entry.summaryHtml ?? "";
  const contentText = htmlToText(contentHtml);
  const summary = entry.summaryHtml
    ? htmlToText(entry.summaryHtml).replace(/\s+/g, " ").trim()
    : "";
  const draft: ArticleDraft = {
    title: entry.title || titleFromText(summary || contentText),
    categories: [...entry.categories],
    tags: [],
    contentHtml,
    contentText,
  };
  if (entry.guid) draft.id = entry.guid;
  if (entry.url) draft.url = entry.url;
  const published = entry.published ?? entry.updated;
  if (published) draft.published = published;
  if (entry.updated) draft.updated = entry.updated;
  if (entry.author) draft.author = entry.author;
  const language = entry.language ?? feed.language;
  if (language) draft.language = language;
  if (summary) draft.summary = summary;
  if (entry.image) draft.image = { ...entry.image };
  return draft;
}

/**
 * Tells whether an entry carries only a teaser, so that the article should be completed from
 * its page: no body at all; a short body (under ~500 characters or two paragraphs) that ends
 * like a teaser ("…", "[...]", "Read more", "Baca selengkapnya"); or only a short summary.
 */
export function isExcerptOnly(entry: FeedEntry): boolean {
  const body = entry.contentHtml ?? entry.summaryHtml;
  const text = body ? htmlToText(body).replace(WORDPRESS_FOOTER_RE, "").trim() : "";
  if (text === "") return true;
  const paragraphs = text.split("\n").filter((line) => line.trim() !== "").length;
  const short = text.length < EXCERPT_MAX_CHARS || paragraphs < 2;
  if (short && TRUNCATION_RE.test(text)) return true;
  // A description alone counts as full text only when it is long: most feeds send teasers.
  return entry.contentHtml === undefined && short;
}

function titleFromText(text: string): string {
  const line = text.split("\n")[0]?.replace(/\s+/g, " ").trim() ?? "";
  if (line.length <= TITLE_MAX_CHARS) return line;
  const cut = line.slice(0, TITLE_MAX_CHARS);
  const space = cut.lastIndexOf(" ");
  return `${(space > TITLE_MAX_CHARS / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
