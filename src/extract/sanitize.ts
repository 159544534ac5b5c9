import sanitizeHtml from "sanitize-html";

const ALLOWED_TAGS = [
  "p",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "a",
  "img",
  "figure",
  "figcaption",
  "blockquote",
  "q",
  "cite",
  "ul",
  "ol",
  "li",
  "dl",
  "dt",
  "dd",
  "em",
  "strong",
  "b",
  "i",
  "u",
  "s",
  "del",
  "ins",
  "mark",
  "small",
  "sub",
  "sup",
  "abbr",
  "br",
  "hr",
  "table",
  "caption",
  "thead",
  "tbody",
  "tfoot",
  "tr",
  "th",
  "td",
  "pre",
  "code",
];

/**
 * Elements dropped together with everything inside them. Other disallowed elements (div,
 * span, section) lose only their tags and keep their text.
 */
const DROPPED_WITH_CONTENT = [
  "script",
  "style",
  "textarea",
  "option",
  "xmp",
  "noscript",
  "template",
  "form",
  "button",
  "select",
  "iframe",
  "object",
  "embed",
  "svg",
  "math",
  "canvas",
  "audio",
  "video",
  "head",
  "title",
  "nav",
];

/**
 * Cleans article HTML for feeds and e-mail: ordinary article markup only, no scripts, styles,
 * event handlers, forms, frames, `javascript:` or `data:` URLs; links and images made absolute
 * against `baseUrl`. A relative URL is dropped when `baseUrl` is not an absolute URL.
 * @example sanitizeArticleHtml('<p><a href="/a" onclick="x()">A</a></p>', "https://x.id/b/") // '<p><a href="https://x.id/a">A</a></p>'
 */
export function sanitizeArticleHtml(html: string, baseUrl: string): string {
  const base = parseBase(baseUrl);
  const absolute = (value: string | undefined): string | undefined => {
    if (value === undefined || value.trim() === "") return undefined;
    try {
      return new URL(value.trim(), base).href;
    } catch {
      return undefined;
    }
  };
  // Replaces the attribute where it stands, so that attributes keep their order.
  const withUrl = (attribs: sanitizeHtml.Attributes, name: string, url: string | undefined) => {
    const { [name]: _, ...rest } = attribs;
    return url === undefined ? rest : { ...attribs, [name]: url };
  };

  return sanitizeHtml(html, {
    allowedTags: ALLOWED_TAGS,
    allowedAttributes: {
      a: ["href", "title"],
      img: ["src", "alt", "width", "height", "title"],
      abbr: ["title"],
      ol: ["start"],
      th: ["colspan", "rowspan", "scope"],
      td: ["colspan", "rowspan"],
    },
    allowedSchemes: ["http", "https", "mailto", "tel"],
    allowedSchemesByTag: { img: ["http", "https"] },
    allowedSchemesAppliedToAttributes: ["href", "src", "cite"],
    allowProtocolRelative: false,
    nonTextTags: DROPPED_WITH_CONTENT,
    transformTags: {
      // The article title is the page's h1; one inside the body is a section heading.
      h1: "h2",
      a: (tagName, attribs) => ({
        tagName,
        attribs: withUrl(attribs, "href", absolute(attribs.href)),
      }),
      img: (tagName, attribs) => {
        // Lazy-loading themes put the real image in data-src and a placeholder in src.
        const lazy = attribs["data-src"] ?? attribs["data-lazy-src"] ?? attribs["data-original"];
        const src =
          lazy !== undefined && (!attribs.src || attribs.src.startsWith("data:"))
            ? lazy
            : attribs.src;
        return { tagName, attribs: withUrl(attribs, "src", absolute(src)) };
      },
    },
    exclusiveFilter: (frame) => frame.tag === "img" && !frame.attribs.src,
  }).trim();
}

function parseBase(baseUrl: string): URL | undefined {
  try {
    return new URL(baseUrl);
  } catch {
    return undefined;
  }
}
