import type { RecipientValues } from "../compose/index.js";
import type { Frequency } from "../domain/subscriber.js";
import { pageUrl } from "../subscriptions/links.js";

/** "id" for "id-ID", "en" for "en-GB": the part of a language tag digests are chosen by. */
export function primaryLanguage(tag: string): string {
  return tag.trim().toLowerCase().split(/[-_]/)[0] ?? "";
}

/** How a segment reads in summaries: "all categories" or its slugs ("ekonomi, olahraga"). */
export function describeSegment(categories: readonly string[]): string {
  return categories.length === 0 ? "all categories" : categories.join(", ");
}

/** The categories a segment option names: "a,b" → ["a", "b"], sorted and unique. */
export function parseSegment(value: string | undefined): string[] {
  if (!value) return [];
  return [
    ...new Set(
      value
        .split(",")
        .map((slug) => slug.trim().toLowerCase())
        .filter(Boolean),
    ),
  ].sort();
}

/** The opening line of a digest: by name when known, in the digest's language. */
export function greetingFor(language: string, name?: string): string {
  const trimmed = name?.trim();
  if (primaryLanguage(language) === "id") return trimmed ? `Halo, ${trimmed}!` : "Halo!";
  return trimmed ? `Hello ${trimmed},` : "Hello,";
}

/**
 * Recipient values for a sample reader (previews): links to the site's pages with a made-up
 * token, so that nothing real can be unsubscribed from a preview.
 */
export function sampleRecipient(
  baseUrl: string,
  language: string,
  webUrl: string,
  frequency: Frequency,
): RecipientValues {
  const name = primaryLanguage(language) === "id" ? "Sari Pembaca" : "Sam Reader";
  const token = `preview-${frequency}`;
  return {
    name,
    greeting: greetingFor(language, name),
    unsubscribe_url: pageUrl(baseUrl, "unsubscribe", token),
    preferences_url: pageUrl(baseUrl, "preferences", token),
    web_url: webUrl,
  };
}
