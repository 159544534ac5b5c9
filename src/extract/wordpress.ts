import type { ArticleDraft, ArticleImage } from "../domain/article.js";
import { AppError } from "../shared/errors.js";
import { isRecord } from "./fields.js";
import { decodeEntities, htmlToText } from "./html-text.js";

/** A WordPress REST API date in GMT ("2024-05-04T03:15:00", no zone) as a Date. */
function gmtDate(value: unknown): Date | undefined {
  if (typeof value !== "string" || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(value)) {
    return undefined;
  }
  const date = new Date(`${value}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function rendered(value: unknown): string {
  if (isRecord(value) && typeof value.rendered === "string") return value.rendered;
  return "";
}

/** Terms of one taxonomy ("category", "post_tag") from a post's embedded wp:term lists. */
function embeddedTerms(embedded: Record<string, unknown>, taxonomy: string): string[] {
  const groups = embedded["wp:term"];
  if (!Array.isArray(groups)) return [];
  const names: string[] = [];
  for (const group of groups) {
    if (!Array.isArray(group)) continue;
    for (const term of group) {
      if (isRecord(term) && term.taxonomy === taxonomy && typeof term.name === "string") {
        names.push(decodeEntities(term.name).trim());
      }
    }
  }
  return names.filter(Boolean);
}

function featuredImage(embedded: Record<string, unknown>): ArticleImage | undefined {
  const media = embedded["wp:featuredmedia"];
  const first = Array.isArray(media) ? media[0] : undefined;
  if (!isRecord(first) || typeof first.source_url !== "string") return undefined;
  const image: ArticleImage = { url: first.source_url };
  if (typeof first.alt_text === "string" && first.alt_text.trim())
    image.alt = first.alt_text.trim();
  if (typeof first.mime_type === "string") image.type = first.mime_type;
  const details = first.media_details;
  if (isRecord(details)) {
    if (typeof details.width === "number") image.width = details.width;
    if (typeof details.height === "number") image.height = details.height;
    if (typeof details.filesize === "number") image.length = details.filesize;
  }
  return image;
}

/**
 * Maps one post of the WordPress REST API (/wp-json/wp/v2/posts?_embed) to an article
 * draft: title, content, excerpt, date_gmt, modified_gmt, link, categories, tags, author and
 * featured image.
 */
export function wordpressPostToDraft(post: unknown): ArticleDraft {
  if (!isRecord(post) || (typeof post.id !== "number" && typeof post.id !== "string")) {
    throw new AppError("PARSE_JSON", "wordpress: a post without an id");
  }
  const title = htmlToText(rendered(post.title)).replace(/\s+/g, " ").trim();
  if (!title) throw new AppError("PARSE_MISSING_FIELD", `wordpress: post ${post.id} has no title`);
  const contentHtml = rendered(post.content);
  const excerpt = htmlToText(rendered(post.excerpt)).replace(/\s+/g, " ").trim();
  const embedded = isRecord(post._embedded) ? post._embedded : {};
  const draft: ArticleDraft = {
    id: `wp-post-${post.id}`,
    title,
    categories: embeddedTerms(embedded, "category"),
    tags: embeddedTerms(embedded, "post_tag"),
    contentHtml,
    contentText: htmlToText(contentHtml),
  };
  if (typeof post.link === "string") draft.url = post.link;
  if (typeof post.slug === "string" && post.slug) draft.slug = post.slug;
  const published = gmtDate(post.date_gmt);
  const updated = gmtDate(post.modified_gmt);
  if (published) draft.published = published;
  if (updated) draft.updated = updated;
  if (excerpt) draft.summary = excerpt;
  const authors = embedded.author;
  const author = Array.isArray(authors) && isRecord(authors[0]) ? authors[0].name : undefined;
  if (typeof author === "string" && author.trim()) draft.author = decodeEntities(author).trim();
  const image = featuredImage(embedded);
  if (image) draft.image = image;
  return draft;
}
