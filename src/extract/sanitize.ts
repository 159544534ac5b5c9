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
  "iframe",
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

/** Video players that may stay embedded: YouTube (also without cookies), Vimeo, Dailymotion. */
const VIDEO_EMBED_RE =
  /^https:\/\/(?:(?:www\.)?youtube(?:-nocookie)?\.com\/embed\/|player\.vimeo\.com\/video\/|(?:www\.)?dailymotion\.com\/embed\/video\/|geo\.dailymotion\.com\/player)/i;

/** Hosts that serve tracking pixels and beacons, not pictures. */
const TRACKER_HOST_RE =
  /(?:^|\.)(?:doubleclick\.net|google-analytics\.com|googletagmanager\.com|googlesyndication\.com|scorecardresearch\.com|quantserve\.com|imrworldwide\.com|chartbeat\.net|amazon-adsystem\.com|adnxs\.com|bat\.bing\.com|analytics\.twitter\.com|pixel\.wp\.com|stats\.wp\.com|pixel\.quantserve\.com|ads\.linkedin\.com|px\.ads\.linkedin\.com|ct\.pinterest\.com|mc\.yandex\.ru|counter\.yadro\.ru|statcounter\.com|hit\.gemius\.pl|sb\.scorecardresearch\.com|feedburner\.com)$/i;

/** Paths of tracking pixels on any host ("/pixel.gif", "/tr?id=", "/__utm.gif", "/beacon"). */
const TRACKER_PATH_RE =
  /(?:^|\/)(?:pixel|pixel_?track|track|tracking|tracker|beacon|__utm|spacer|blank|transparent|1x1)(?:\.(?:gif|png|jpe?g|php|aspx?))?$|^\/tr\/?$|^\/~r\//i;

/**
 * Cleans article HTML for feeds and e-mail: ordinary article markup only, no scripts, styles,
 * event handlers, forms, frames (except YouTube, Vimeo and Dailymotion players), tracking
 * pixels, `javascript:` or `data:` URLs; links, images and players made absolute against
 * `baseUrl`. A relative URL is dropped when `baseUrl` is not an absolute URL.
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
      iframe: ["src", "width", "height", "title", "allowfullscreen"],
      th: ["colspan", "rowspan", "scope"],
      td: ["colspan", "rowspan"],
    },
    allowedSchemes: ["http", "https", "mailto", "tel"],
    allowedSchemesByTag: { img: ["http", "https"], iframe: ["https"] },
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
      iframe: (tagName, attribs) => {
        // Players are loaded over https whatever the page said; a frame shows no inner text.
        const src = absolute(attribs.src)?.replace(/^http:/i, "https:");
        return {
          tagName,
          attribs: withUrl(attribs, "src", src && VIDEO_EMBED_RE.test(src) ? src : undefined),
          text: "",
        };
      },
    },
    exclusiveFilter: (frame) =>
      (frame.tag === "img" && (!frame.attribs.src || isTrackingPixel(frame.attribs))) ||
      (frame.tag === "iframe" && !frame.attribs.src),
  }).trim();
}

/** A 1x1 (or 0x0) image, or one served by a known tracker: it counts readers, shows nothing. */
function isTrackingPixel(attribs: Readonly<Record<string, string>>): boolean {
  const tiny = (value: string | undefined) =>
    value !== undefined && /^\s*[01](?:\.0+)?\s*(?:px)?\s*$/i.test(value);
  if (tiny(attribs.width) || tiny(attribs.height)) return true;
  try {
    const url = new URL(attribs.src ?? "");
    return TRACKER_HOST_RE.test(url.hostname) || TRACKER_PATH_RE.test(url.pathname);
  } catch {
    return false;
  }
}

function parseBase(baseUrl: string): URL | undefined {
  try {
    return new URL(baseUrl);
  } catch {
    return undefined;
  }
}
