import { decodeEntities, escapeHtml, htmlToText } from "../html-text.js";

/** Schemes a link may never have (they run code or embed a document). */
const UNSAFE_SCHEMES: ReadonlySet<string> = new Set(["javascript:", "vbscript:", "data:"]);

/** Attributes that hold one URL. */
const URL_ATTRIBUTES = "href|src|poster|cite|longdesc|background|action|data-src";

const TAG_RE = /<!--[\s\S]*?-->|<[a-zA-Z][a-zA-Z0-9:-]*\s(?:[^>"']|"[^"]*"|'[^']*')*>/g;
const ATTRIBUTE_RE = new RegExp(
  `(\\s)(${URL_ATTRIBUTES}|srcset)(\\s*=\\s*)(?:"([^"]*)"|'([^']*)'|([^\\s"'>]+))`,
  "gi",
);
const HAS_URL_ATTRIBUTE_RE = new RegExp(`(?:${URL_ATTRIBUTES}|srcset)\\s*=`, "i");
const SCHEME_RE = /^[a-zA-Z][a-zA-Z0-9+.-]*:/;

/** Markup or a character reference: text that is HTML rather than plain. */
const MARKUP_RE = /<\/?[a-zA-Z][^<>]*>|&(?:#\d+|#[xX][0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]*);/;

/** Block and inline tags whose escaped form shows that markup was escaped twice. */
const ESCAPED_TAG_RE =
  /^\s*&lt;[a-zA-Z][a-zA-Z0-9]*(?:\s[\s\S]*?)?\/?&gt;|&lt;\/(?:p|div|a|b|i|em|strong|span|li|ul|ol|h[1-6]|blockquote|table|tr|td|figure|figcaption)&gt;/;

/**
 * Resolves a link against a base URL. Returns undefined for an empty value, one that cannot
 * be made absolute, and javascript:, vbscript: or data: links.
 */
export function resolveUrl(
  value: string | undefined,
  base: string | undefined,
): string | undefined {
  const trimmed = value?.trim();
  if (!trimmed) return undefined;
  try {
    const url = base === undefined ? new URL(trimmed) : new URL(trimmed, base);
    return UNSAFE_SCHEMES.has(url.protocol) ? undefined : url.href;
  } catch {
    return undefined;
  }
}

/**
 * Makes the relative URLs of an HTML fragment absolute (href, src, srcset, poster, ...).
 * Absolute ones are left exactly as written.
 */
export function resolveHtmlUrls(html: string, base: string | undefined): string {
  if (base === undefined || !HAS_URL_ATTRIBUTE_RE.test(html)) return html;
  return html.replace(TAG_RE, (tag) => {
    if (tag.startsWith("<!--")) return tag;
    return tag.replace(
      ATTRIBUTE_RE,
      (
        whole,
        space: string,
        name: string,
        equals: string,
        dq?: string,
        sq?: string,
        bare?: string,
      ) => {
        const value = dq ?? sq ?? bare ?? "";
        const resolved =
          name.toLowerCase() === "srcset"
            ? resolveSrcset(value, base)
            : resolveRelative(value, base);
        if (resolved === value) return whole;
        const quote = sq !== undefined ? "'" : '"';
        return `${space}${name}${equals}${quote}${resolved}${quote}`;
      },
    );
  });
}

function resolveRelative(value: string, base: string): string {
  const trimmed = value.trim();
  if (trimmed === "" || SCHEME_RE.test(trimmed) || trimmed.startsWith("#")) return value;
  try {
    return new URL(trimmed, base).href;
  } catch {
    return value;
  }
}

function resolveSrcset(value: string, base: string): string {
  return value
    .split(",")
    .map((candidate) => {
      const m = /^(\s*)(\S+)(.*)$/.exec(candidate);
      return m ? `${m[1]}${resolveRelative(m[2]!, base)}${m[3]}` : candidate;
    })
    .join(",");
}

/**
 * The plain text of a title-like value, whitespace collapsed. HTML ("html") is reduced to
 * its text; with "guess" (RSS, where titles carry no type), only when it contains markup or
 * a character reference, which also undoes double escaping ("AT&amp;amp;T").
 */
export function toPlainText(value: string, kind: "text" | "html" | "guess"): string {
  const isHtml = kind === "html" || (kind === "guess" && MARKUP_RE.test(value));
  const text = isHtml ? htmlToText(value) : value;
  return text.replace(/\s+/g, " ").trim();
}

/**
 * Undoes one level of escaping when an HTML fragment holds no markup but escaped tags
 * ("&lt;p&gt;Halo&lt;/p&gt;"): the publisher escaped it twice.
 */
export function undoDoubleEscaping(html: string): string {
  if (/<[a-zA-Z!/]/.test(html) || !ESCAPED_TAG_RE.test(html)) return html;
  return decodeEntities(html);
}

/** Turns plain text into HTML paragraphs (blank lines) and line breaks. */
export function textToHtml(text: string): string {
  return text
    .trim()
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.trim())
    .filter((paragraph) => paragraph !== "")
    .map((paragraph) => `<p>${escapeHtml(paragraph).replace(/\s*\n\s*/g, "<br>")}</p>`)
    .join("");
}
