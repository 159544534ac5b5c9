import type { Category } from "../domain/article.js";

/** The words a digest shows around the articles, in one language. */
export interface UiStrings {
  /** Link under each article card, and the label of its URL in the plain-text part. */
  readMore: string;
  /** Section for articles without a category. */
  other: Category;
  /** "3 artikel", "1 article". */
  countArticles: (count: number) => string;
  /** Footer line saying why the reader gets this email; {site} is replaced by the site title. */
  subscribedTo: string;
  unsubscribe: string;
  preferences: string;
  /** Link near the top to the edition's web version. */
  viewInBrowser: string;
  /** Heading of the compact list of articles shown as headlines only. */
  headlinesHeading: string;
  /** Says how many articles are shown as headlines only, without image or summary. */
  moreAsHeadlines: (count: number) => string;
  /** Says how many articles did not fit into the email at all (only in huge digests). */
  omitted: (count: number) => string;
}

const indonesian: UiStrings = {
  readMore: "Baca selengkapnya",
  other: { slug: "lainnya", name: "Lainnya" },
  countArticles: (count) => `${count} artikel`,
  subscribedTo: "Anda menerima email ini karena berlangganan {site}.",
  unsubscribe: "Berhenti berlangganan",
  preferences: "Atur preferensi",
  viewInBrowser: "Lihat di browser",
  headlinesHeading: "Judul lainnya",
  moreAsHeadlines: (count) => `${count} artikel lainnya sebagai judul`,
  omitted: (count) =>
    `${count} artikel tidak muat di email ini; bacalah di versi web atau di situs kami.`,
};

const english: UiStrings = {
  readMore: "Read more",
  other: { slug: "other", name: "Other" },
  countArticles: (count) => (count === 1 ? "1 article" : `${count} articles`),
  subscribedTo: "You are receiving this email because you subscribed to {site}.",
  unsubscribe: "Unsubscribe",
  preferences: "Manage preferences",
  viewInBrowser: "View in browser",
  headlinesHeading: "More headlines",
  moreAsHeadlines: (count) =>
    count === 1 ? "1 more article as a headline" : `${count} more articles as headlines`,
  omitted: (count) =>
    count === 1
      ? "1 more article did not fit into this email; read it in the web version or on our site."
      : `${count} more articles did not fit into this email; read them in the web version or on our site.`,
};

/** Returns the UI strings for a BCP 47 language tag: Indonesian for `id`, English otherwise. */
export function uiStrings(language: string): UiStrings {
  const primary = language.toLowerCase().split("-")[0];
  return primary === "id" ? indonesian : english;
}
