/*
 * What news pages wrap around an article, recognised by markup (class and id names) or by
 * the text of a line. Indonesian and English, like the sites warta reads.
 */

/** Elements that never hold article text. */
export const NOISE_TAGS = [
  "script",
  "style",
  "noscript",
  "template",
  "link",
  "meta",
  "button",
  "input",
  "select",
  "textarea",
  "label",
  "nav",
  "dialog",
  "svg",
  "canvas",
  "object",
  "embed",
];

/**
 * Words in class names and ids of boilerplate containers: share bars, related links,
 * comments, newsletter boxes, ads, bylines, breadcrumbs, tag lists. Matched as whole
 * hyphen/underscore-separated or camel-cased parts of a name.
 */
const BOILERPLATE_WORDS = [
  "share",
  "shares",
  "sharing",
  "sharebar",
  "sharetools",
  "social",
  "socials",
  "sosmed",
  "related",
  "relatedposts",
  "recommended",
  "recommendation",
  "recommendations",
  "rekomendasi",
  "terkait",
  "bacajuga",
  "readmore",
  "readalso",
  "alsoread",
  "newsletter",
  "newsletters",
  "subscribe",
  "subscription",
  "signup",
  "comment",
  "comments",
  "komentar",
  "disqus",
  "respond",
  "ad",
  "ads",
  "adv",
  "advert",
  "adverts",
  "advertisement",
  "advertising",
  "iklan",
  "adsbygoogle",
  "dfp",
  "gpt",
  "sponsor",
  "sponsored",
  "promo",
  "promoted",
  "outbrain",
  "taboola",
  "byline",
  "bylines",
  "breadcrumb",
  "breadcrumbs",
  "tags",
  "tagging",
  "taglist",
  "topics",
  "cookie",
  "cookies",
  "gdpr",
  "consent",
  "popup",
  "modal",
  "paywall",
  "sidebar",
  "widget",
  "widgets",
  "toolbar",
  "masthead",
  "footer",
  "navbar",
  "menu",
  "pagination",
  "pager",
  "author-bio",
  "authorbio",
  "bio",
  "trending",
  "popular",
  "populer",
  "terpopuler",
  "mostread",
  "most-read",
  "print",
  "skip",
];

/** Whole class names that hide an element from readers. */
const HIDDEN_CLASSES: ReadonlySet<string> = new Set([
  "hidden",
  "hide",
  "d-none",
  "is-hidden",
  "sr-only",
  "screen-reader-text",
  "visually-hidden",
  "visuallyhidden",
  "element-invisible",
  "offscreen",
]);

/** Class name words of image captions and photo credits. */
const CAPTION_WORDS = [
  "caption",
  "captions",
  "figcaption",
  "credit",
  "credits",
  "photo-credit",
  "image-credit",
  "imagecredit",
  "wp-caption-text",
  "keterangan",
];

/** Class name words of containers that hold the article itself: never dropped as boilerplate. */
const CONTENT_WORDS =
  /(?:^|[\s_-])(?:article-?body|articlebody|article-?content|story-?body|post-?body|entry-?content|post-?content|main-?content|body-?text|articletext|detail-?text|read__content|isi-?berita|content-?detail)(?:$|[\s_-])/i;

const BOILERPLATE_RE = wordsPattern(BOILERPLATE_WORDS);
const CAPTION_RE = wordsPattern(CAPTION_WORDS);

function wordsPattern(words: readonly string[]): RegExp {
  const alternatives = words.map((word) => word.replace(/-/g, "[-_]?")).join("|");
  return new RegExp(`(?:^|[\\s_-])(?:${alternatives})(?:$|[\\s_-])`, "i");
}

/** "shareBar relatedPosts" as "share-Bar related-Posts", so that camel-cased words count. */
function splitCamel(names: string): string {
  return names.replace(/([a-z])([A-Z])/g, "$1-$2");
}

/** Tells whether class names and id mark a boilerplate container. */
export function isBoilerplateName(names: string): boolean {
  const split = splitCamel(names);
  return BOILERPLATE_RE.test(split) && !CONTENT_WORDS.test(names);
}

/** Tells whether a class attribute hides its element. */
export function isHiddenClass(className: string): boolean {
  return className.split(/\s+/).some((name) => HIDDEN_CLASSES.has(name.toLowerCase()));
}

/** Tells whether class names mark an image caption or photo credit. */
export function isCaptionName(names: string): boolean {
  return CAPTION_RE.test(splitCamel(names));
}

/**
 * Lines that are never article text: related-article links, ads, calls to share, follow or
 * subscribe, and the notes that precede or follow embedded media.
 */
export const BOILERPLATE_LINES: readonly RegExp[] = [
  // "Baca juga: ...", "Read also", "Lihat juga", "Simak juga", "See also", "Related: ...".
  /^[[(]?\s*(?:baca|lihat|simak|cek|tonton|saksikan) (?:juga|pula|selengkapnya|video)\b/i,
  /^[[(]?\s*(?:read|see|also|watch) (?:also|more|next|too)\b\s*[:|-]/i,
  /^[[(]?\s*(?:also read|read also|see also|also see|related|related story|related article|related coverage|more on this|recommended|baca selengkapnya|berita terkait|artikel terkait)\s*[:|]/i,
  /^[[(]?\s*(?:also read|read also|see also|baca juga|lihat juga|simak juga|related|berita terkait|artikel terkait)\s*[\])]?$/i,
  // "ADVERTISEMENT", "- Advertisement -", "Iklan", "Scroll to continue".
  /^[-–—\s]*(?:advertisement|advertisment|advert|iklan|ads|sponsored|sponsored content|promoted|paid content)[-–—\s]*$/i,
  /^(?:scroll (?:down )?to continue(?: with content| reading)?|continue reading(?: below| the main story)?|story continues below(?: advertisement)?|article continues below(?: advertisement)?|content continues below|gulir (?:ke bawah )?untuk (?:melanjutkan|lanjut)(?: membaca)?|lanjutkan membaca|konten berlanjut di bawah)\b.{0,40}$/i,
  // Share, follow, subscribe and app promotions.
  /^(?:share|bagikan|follow|ikuti)\s*(?:this|artikel|berita|us|kami|on|di|ke|via)?\s*[:]?\s*(?:facebook|twitter|whatsapp|email|linkedin|instagram|telegram|google news|\s|,|\/|\|)*$/i,
  /^(?:sign up|subscribe|berlangganan|daftar|get|dapatkan|download|unduh|click here|klik di ?sini|tap here|join|gabung)\b.{0,80}\b(?:newsletter|newsletters|inbox|email|e-mail|app|aplikasi|here|di ?sini|channel|saluran|whatsapp|telegram|google news|updates?)\b.{0,40}$/i,
  /^(?:follow|ikuti)\b.{0,80}\b(?:on|di) (?:twitter|facebook|instagram|google news|whatsapp|telegram|linkedin|tiktok|youtube)\b.{0,60}$/i,
  /^(?:listen to|watch|tonton|saksikan) .{0,60}\b(?:live|podcast|video|here|di ?sini)\b.{0,30}$/i,
  /^click here\b.{0,100}$/i,
  // Notes of embedded media and captions printed as text.
  /^(?:image|photo|picture|media) (?:caption|copyright|source|credit)\b/i,
  /^(?:media playback is unsupported on your device|this (?:slideshow|video|content) requires javascript\b.*)$/i,
  /^\((?:image|photo|foto|picture|credit)\s*:[^)]*\)$/i,
  /^(?:image|photo|foto|ilustrasi|gambar|video)\s*:/i,
  // Copyright notices.
  /^(?:copyright\b|hak cipta\b|©|\(c\) \d{4})/i,
  // Comment forms and notices.
  /^(?:leave a (?:reply|comment)|post a comment|tinggalkan (?:komentar|balasan)|tulis komentar)\b.{0,30}$/i,
  /^(?:you must be logged in to post a comment|comments? (?:are|is) closed)\b/i,
];

/**
 * A photo caption printed as a paragraph: it ends with the photo's credit in parentheses,
 * "(ANTARA FOTO/Budi Setya)", "(REUTERS / Danny Moloshok)", "(Foto: Dok. Humas)".
 */
export const CAPTION_LINE_RE =
  /\((?:[^()]*\s)?(?:foto|photo|dok|image|picture|gambar)\s*[:./][^()]*\)\s*$|\((?:[^()]*\s)?(?:image|photo|foto) credit[^()]*\)\s*$/i;

/** A credit in the form "(ANTARA FOTO/Budi Setya)", "(REUTERS / Danny Moloshok)". */
export const AGENCY_CREDIT_RE = /\([A-Z][A-Za-z.]*(?: FOTO| PHOTO)?\s*\/[^()]*\)\s*$/;

/** A line naming only the news agency or photo agency a story or picture came from. */
export const AGENCY_LINE_RE =
  /^(?:the associated press|associated press|reuters|agence france-presse|afp|ap|bloomberg|getty images|[^.]{0,60}\|\s*getty images)$/i;

/** Short lines that are site furniture when they stand alone. */
export const FURNITURE_LABELS: ReadonlySet<string> = new Set([
  "advert",
  "advertisement",
  "iklan",
  "comments",
  "comment",
  "komentar",
  "share",
  "bagikan",
  "sign in",
  "log in",
  "login",
  "masuk",
  "subscribe",
  "berlangganan",
  "home",
  "beranda",
  "menu",
  "search",
  "cari",
  "skip to content",
  "skip to main content",
  "breaking news",
  "trending",
  "enlarge image",
  "enlarge this image",
  "toggle caption",
  "hide caption",
  "view author archive",
  "email the author",
  "follow on twitter",
  "loading",
  "loading...",
  "close",
  "tutup",
  "print",
  "cetak",
  "tweet",
  "email",
  "facebook",
  "twitter",
  "whatsapp",
  "linkedin",
  "pinterest",
  "reddit",
  "next",
  "previous",
  "selanjutnya",
  "sebelumnya",
]);

/** Headings that start the page's own lists after the article: related stories, comments. */
export const END_LABELS: ReadonlySet<string> = new Set([
  "related",
  "related posts",
  "related articles",
  "related stories",
  "related news",
  "related content",
  "related coverage",
  "related links",
  "related topics",
  "more stories",
  "more news",
  "more from",
  "more on this story",
  "more like this",
  "read more",
  "read next",
  "up next",
  "what to read next",
  "you may also like",
  "you might also like",
  "you may like",
  "you may also be interested in",
  "recommended",
  "recommended for you",
  "recommended stories",
  "most popular",
  "most read",
  "popular",
  "trending",
  "trending now",
  "don't miss",
  "dont miss",
  "editor's picks",
  "around the web",
  "from the web",
  "sponsored stories",
  "promoted stories",
  "comments",
  "leave a reply",
  "leave a comment",
  "join the conversation",
  "share this article",
  "share this story",
  "share this",
  "about the author",
  "berita terkait",
  "berita lainnya",
  "berita terbaru",
  "berita terkini",
  "berita populer",
  "berita pilihan",
  "artikel terkait",
  "artikel lainnya",
  "baca juga",
  "baca lainnya",
  "terpopuler",
  "populer",
  "terkini",
  "terbaru",
  "pilihan editor",
  "pilihan redaksi",
  "rekomendasi",
  "rekomendasi untuk anda",
  "komentar",
  "tinggalkan komentar",
  "tags",
  "tag",
  "topik",
  "topik terkait",
  "kata kunci",
]);

/** A line that names the author or when the article was published or updated. */
export const BYLINE_RE =
  /^(?:by|oleh|reporter|reported by|written by|penulis|pewarta|wartawan|editor|edited by|penyunting|redaktur|laporan wartawan|posted|published|updated|last updated|first published|diperbarui|diperbaharui|dipublikasikan|diterbitkan|terbit)\b\s*:?/i;
