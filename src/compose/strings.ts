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
}

const indonesian: UiStrings = {
  readMore: "Baca selengkapnya",
  other: { slug: "lainnya", name: "Lainnya" },
  countArticles: (count) => `${count} artikel`,
  subscribedTo: "Anda menerima email ini karena berlangganan {site}.",
  unsubscribe: "Berhenti berlangganan",
  preferences: "Atur preferensi",
};

const english: UiStrings = {
  readMore: "Read more",
  other: { slug: "other", name: "Other" },
  countArticles: (count) => (count === 1 ? "1 article" : `${count} articles`),
  subscribedTo: "You are receiving this email because you subscribed to {site}.",
  unsubscribe: "Unsubscribe",
  preferences: "Manage preferences",
};

/** Returns the UI strings for a BCP 47 language tag: Indonesian for `id`, English otherwise. */
export function uiStrings(language: string): UiStrings {
  const primary = language.toLowerCase().split("-")[0];
  return primary === "id" ? indonesian : english;
}
