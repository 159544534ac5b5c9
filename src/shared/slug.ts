/**
 * Turns a display name into a URL slug: lower case ASCII letters, digits and dashes.
 * @example slugify("Ekonomi & Bisnis") // "ekonomi-bisnis"
 */
export function slugify(name: string): string {
  const slug = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return slug || "uncategorised";
}
