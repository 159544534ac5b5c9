// Characters XML 1.0 cannot carry: C0 controls other than tab, LF and CR, plus U+FFFE and U+FFFF.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Removes what no XML document may contain: C0 controls (but tab, LF, CR) and noncharacters; lone surrogates become U+FFFD. */
export function cleanText(value: string): string {
  return value.replace(XML_INVALID, "").replace(LONE_SURROGATE, "\uFFFD");
}

/** Escapes text for an XML text node or a double-quoted attribute. */
export function escapeXml(value: string): string {
  return value
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

/** Turns plain text into the HTML that displays it as is (for fields that feeds declare as HTML). */
export function escapeHtml(value: string): string {
  return value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

// RFC 4151 allows pchar, "/" and "?" in the specific part; keep a conservative subset readable
// and percent-encode the rest, so the id is a valid URI that URL parsers leave unchanged.
const TAG_SPECIFIC_UNSAFE = /[^A-Za-z0-9\-._~:@/!$'()*+,;=]/gu;

/**
 * Builds the permanent id of an article: a tag URI (RFC 4151) from the site's host and the day
 * the article was first stored, so edits to its title or URL never change it.
 * @example tagUri("news.example.org", new Date("2024-03-05T23:00:00Z"), "a1") // "tag:news.example.org,2024-03-05:a1"
 */
export function tagUri(host: string, firstSeen: Date, articleId: string): string {
  const day = firstSeen.toISOString().slice(0, 10);
  const specific = cleanText(articleId).replace(TAG_SPECIFIC_UNSAFE, (c) => encodeURIComponent(c));
  return `tag:${host},${day}:${specific}`;
}

const IMAGE_TYPES: Readonly<Record<string, string>> = {
  avif: "image/avif",
  bmp: "image/bmp",
  gif: "image/gif",
  heic: "image/heic",
  ico: "image/x-icon",
  jfif: "image/jpeg",
  jpe: "image/jpeg",
  jpeg: "image/jpeg",
  jpg: "image/jpeg",
  jxl: "image/jxl",
  png: "image/png",
  svg: "image/svg+xml",
  tif: "image/tiff",
  tiff: "image/tiff",
  webp: "image/webp",
};

// RFC 6838 restricted names, without "&" so the value needs no escaping in an attribute.
const MIME_TYPE = /^[a-z0-9][a-z0-9!#$^_.+-]*\/[a-z0-9][a-z0-9!#$^_.+-]*$/;

/** Returns the MIME type of an image: the given one when well formed, else inferred from the URL's extension. */
export function imageType(url: URL, given?: string): string {
  const declared = given?.trim().toLowerCase();
  if (declared && MIME_TYPE.test(declared)) return declared;
  const name = url.pathname.split("/").pop() ?? "";
  const dot = name.lastIndexOf(".");
  const extension = dot >= 0 ? name.slice(dot + 1).toLowerCase() : "";
  return IMAGE_TYPES[extension] ?? "application/octet-stream";
}

/**
 * The start of a text, cut at a word boundary and marked with "…" when cut.
 * @example excerpt("Banjir di Jakarta. Air setinggi satu meter.", 20) // "Banjir di Jakarta.…"
 */
export function excerpt(text: string, max = 300): string {
  const flat = text.replace(/\s+/g, " ").trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max);
  const space = cut.lastIndexOf(" ");
  return `${(space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** Turns plain text into HTML paragraphs: blank lines separate paragraphs, single newlines break lines. */
export function textToHtml(text: string): string {
  return text
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.trim())
    .filter((paragraph) => paragraph !== "")
    .map((paragraph) => `<p>${escapeHtml(paragraph).replace(/\n/g, "<br>")}</p>`)
    .join("\n");
}
