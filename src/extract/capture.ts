import type { ArticleDraft } from "../domain/index.js";
import { findNewsDate } from "../shared/dates.js";
import { AppError } from "../shared/errors.js";
import type { ExtractOptions } from "./fields.js";
import { escapeHtml } from "./html-text.js";

/*
 * A capture is the text a browser gives when a whole news page is selected and copied:
 * the article, wrapped in the site's header, widgets, ads, related links and comment form.
 * Each line is classified on its own (furniture, date, byline, credit, plain text) by
 * patterns common to Indonesian and English news sites; the article is then found by
 * position: the body starts at the first long line of prose, the title is the most
 * headline-like line above it, and the body ends at the source credit or at the first
 * end-of-article marker (comments, related articles, tags, share bar).
 */

const SUMMARY_LENGTH = 300;

/** Section labels that, once the body has started, mean the article is over. */
const END_LABELS: ReadonlySet<string> = new Set([
  "artikel lainnya",
  "artikel terkait",
  "berita lainnya",
  "berita terkait",
  "berita terbaru",
  "berita terkini",
  "berita populer",
  "berita pilihan",
  "terbaru",
  "terkini",
  "terpopuler",
  "populer",
  "paling populer",
  "paling banyak dibaca",
  "terpopuler hari ini",
  "popular",
  "most popular",
  "most read",
  "trending",
  "trending now",
  "related",
  "related posts",
  "related articles",
  "related news",
  "related stories",
  "more stories",
  "more news",
  "more from",
  "you may also like",
  "you might also like",
  "recommended",
  "rekomendasi",
  "rekomendasi untuk anda",
  "pilihan editor",
  "pilihan redaksi",
  "editor's pick",
  "editor's picks",
  "baca lainnya",
  "lainnya",
  "tinggalkan komentar",
  "tinggalkan balasan",
  "tulis komentar",
  "beri komentar",
  "leave a reply",
  "leave a comment",
  "post a comment",
  "komentar",
  "comments",
  "comment",
  "bagikan",
  "bagikan artikel",
  "bagikan berita",
  "share",
  "share this",
  "share this article",
  "share this story",
  "share on",
  "follow us",
  "ikuti kami",
  "tags",
  "tag",
  "topik",
  "topics",
  "topik terkait",
  "kata kunci",
  "newsletter",
  "berlangganan",
  "subscribe",
  "previous article",
  "next article",
  "artikel sebelumnya",
  "artikel selanjutnya",
  "artikel berikutnya",
  "berita sebelumnya",
  "berita selanjutnya",
  "more from author",
  "lebih dari penulis",
  "lebih banyak dari penulis",
  "must read",
  "wajib baca",
]);

/** Labels of the page's chrome that say nothing and end nothing. */
const SKIP_LABELS: ReadonlySet<string> = new Set([
  "skip to content",
  "skip to main content",
  "langsung ke konten",
  "menu",
  "search",
  "cari",
  "pencarian",
  "home",
  "beranda",
  "login",
  "log in",
  "masuk",
  "daftar",
  "register",
  "sign in",
  "sign up",
  "loading",
  "memuat",
  "close",
  "tutup",
  "x",
  "play",
  "next",
  "prev",
  "previous",
  "selanjutnya",
  "sebelumnya",
]);

/** Lines of the comment form and newsletter boxes, whatever their position. */
const SKIP_PATTERNS: readonly RegExp[] = [
  // "- Advertisement -", "- Advertisement -spot_img", "ADVERTISEMENT", "- Iklan -".
  /^[-–—\s]*(?:advertisement|advertisment|iklan|ads|sponsored|sponsor|promoted)[-–—\s]*(?:spot_img)*[-–—\s]*$/i,
  /^(?:spot_img)+$/i,
  /^(?:scroll (?:down )?to continue(?: with content| reading)?|gulir (?:ke bawah )?untuk (?:melanjutkan|lanjut)(?: membaca)?|lanjutkan membaca|continue reading(?: below)?|content continues below|konten berlanjut di bawah)[.!]?$/i,
  // Related-article links in the middle of the body. The words that can also open a
  // sentence ("Related coverage shows ...") count only with a colon.
  /^(?:baca (?:juga|pula)|lihat (?:juga|pula)|simak (?:juga|pula)|cek juga|read also|also read)\b/i,
  /^(?:baca (?:lainnya|selengkapnya)|read (?:more|next)|see also|related|lihat (?:foto|video))\s*(?::|$)/i,
  // Cloudflare's e-mail protection, and "email : ..." widgets.
  /^(?:e-?mail|surel)\s*:.{0,60}$/i,
  /^\[email\s*protected\]$/i,
  // Weather widget temperature: "28.4 C", "31°C".
  /^-?\d{1,2}(?:[.,]\d)?\s*°?\s*[CF]$/,
  // Counters and reading time: "0 Komentar", "1.2K views", "5 menit baca".
  /^\d+(?:[.,]\d+)?\s*[kKmMrRbB]?\s*(?:komentar|comments?|views?|dilihat|kali dibaca|shares?|dibagikan|likes?|suka)$/i,
  /^(?:waktu baca\s*:?\s*)?\d+\s*(?:menit|min(?:ute)?s?)(?:\s*(?:baca|read|membaca))?$/i,
  /^\d+$/,
  // Image captions and photo credits.
  /^(?:foto|photo|gambar|image|ilustrasi|infografis|grafis|video)\s*:/i,
  /\((?:[^()]*\s)?(?:foto|photo|dok)\s*[:./][^()]*\)\s*$/i,
  /\([A-Z][A-Za-z.]*(?: FOTO)?\/[^()]*\)\s*$/,
  // Comment forms (WordPress, in the site's language).
  /^silakan masukkan (?:komentar|nama|alamat)/i,
  /^(?:please enter your (?:comment|name|email)|you have entered an incorrect email address)/i,
  /^(?:simpan nama|save my name), (?:email|e-mail)/i,
  // Newsletter and channel promotions: "Dapatkan update berita ... Kompas.com", "Ikuti kami di Google News".
  /^(?:dapatkan|ikuti|follow|simak|gabung|bergabung|join|klik|subscribe|berlangganan)\b.*\b(?:google news|whatsapp|telegram|saluran|channel|update berita|breaking news|newsletter)\b/i,
];

/** Lines that, after the body has started, end it. Before the body they are skipped. */
const END_PATTERNS: readonly RegExp[] = [
  /^(?:copyright|hak cipta)\b/i,
  /^©/,
  /^(?:bagikan|share)\s*(?::|artikel\b|berita\b|this\b|on\b|ke\b|via\b)/i,
];

const SOCIAL_NAMES: ReadonlySet<string> = new Set([
  "facebook",
  "twitter",
  "x",
  "whatsapp",
  "telegram",
  "linkedin",
  "pinterest",
  "email",
  "e-mail",
  "line",
  "copy",
  "link",
  "salin",
  "tautan",
  "print",
  "cetak",
  "reddit",
  "threads",
  "instagram",
  "tiktok",
  "youtube",
  "messenger",
]);

/** Someone credited on the page: the author is kept, the others only mark the byline area. */
const PEOPLE_RE =
  /^(penulis|reporter|pewarta|wartawan|writer|author|kontributor|ditulis oleh|editor|penyunting|redaktur|fotografer)\s*:?\s+(.+)$/i;
const AUTHOR_ROLES: ReadonlySet<string> = new Set([
  "penulis",
  "reporter",
  "pewarta",
  "wartawan",
  "writer",
  "author",
  "kontributor",
  "ditulis oleh",
]);
const BYLINE_RE = /^(?:by|oleh)\s*:?\s+(.+)$/i;
const CREDIT_RE = /^\(?\s*(?:sumber|source|via)\s*:\s*(.+?)\s*\)?\s*$/i;
const TAGS_RE = /^(?:tags?|topik|topics?|kata kunci|keywords?)\s*:\s*(.*)$/i;
const TAG_LABELS: ReadonlySet<string> = new Set([
  "tags",
  "tag",
  "topik",
  "topics",
  "topik terkait",
  "kata kunci",
]);
const UPDATED_RE = /\b(?:diperbarui|diperbaharui|updated|last updated|pembaruan)\b/i;

/** "Astana, Oerban.com – ", "JAKARTA, KOMPAS.com - ", "ASTANA (Reuters) - ", "LONDON, May 4 (Reuters) - ", "Jakarta - ". */
const PLACE = "([A-Z][\\p{L}.'’]*(?:\\s+[A-Z][\\p{L}.'’]*){0,3})";
const DATELINE_RES: readonly RegExp[] = [
  new RegExp(
    `^${PLACE}\\s*,\\s*[\\p{L}\\d][\\p{L}\\d.]*(?:\\s+[\\p{L}\\d.]+){0,2}\\s+[-–—]+\\s*`,
    "u",
  ),
  new RegExp(`^${PLACE}(?:\\s*,\\s*[^()–—]{1,30}?)?\\s*\\([^()]{2,40}\\)\\s*[-–—]+\\s*`, "u"),
  new RegExp(`^${PLACE}\\s+[-–—]+\\s+`, "u"),
];

const TERMINAL_PUNCTUATION = /[.!?…"”'’»)\]]$/;

type LineKind =
  | { kind: "skip" }
  | { kind: "end" }
  | { kind: "credit"; credit: string }
  | { kind: "people"; author?: string }
  | { kind: "tags"; tags: string[] }
  | { kind: "date"; date: Date; updated: boolean; author?: string }
  | { kind: "text" };

interface Line {
  text: string;
  words: number;
  type: LineKind;
}

type Block = { kind: "p" | "h2"; text: string };

/**
 * Recovers the article from text copied off a news page (title, date, dateline, credit,
 * paragraphs and sub-headings), leaving out the site's furniture.
 * Throws AppError PARSE_CAPTURE when no title or no body can be found.
 */
export function parseCapture(text: string, options: ExtractOptions): ArticleDraft {
  const lines = classifyLines(text, options.timezone);

  const bodyStart = findBodyStart(lines);
  const titleIndex = findTitle(lines, bodyStart ?? lines.length);
  if (titleIndex === undefined || bodyStart === undefined) {
    const missing: string[] = [];
    if (titleIndex === undefined)
      missing.push("no title (no headline-like line above the first paragraph)");
    if (bodyStart === undefined) missing.push("no article body (no line of prose)");
    throw new AppError("PARSE_CAPTURE", `capture: found ${missing.join(" and ")}`);
  }

  const { blocks, end } = readBody(lines, bodyStart);
  const paragraphs = blocks.filter((block) => block.kind === "p");
  if (paragraphs.length === 0) {
    throw new AppError(
      "PARSE_CAPTURE",
      "capture: found no article body (no paragraph after the title)",
    );
  }

  const meta = readMetadata(lines, end);
  const first = paragraphs[0]!.text;
  const dateline = readDateline(first);

  return {
    title: lines[titleIndex]!.text,
    published: meta.published,
    updated: meta.updated,
    author: meta.author,
    categories: [],
    tags: meta.tags,
    language: options.language,
    // The body keeps the dateline as the newsroom printed it ("Astana, Oerban.com – ..."),
    // since readers of the full article expect to see it. The summary sits next to the
    // title in lists and digests, where the place and the site's name are noise, so it
    // starts after the dateline; the place itself is in `dateline`.
    summary: truncateAtWord(dateline ? first.slice(dateline.prefixLength) : first, SUMMARY_LENGTH),
    contentHtml: blocks
      .map((block) => `<${block.kind}>${escapeHtml(block.text)}</${block.kind}>`)
      .join("\n"),
    contentText: blocks.map((block) => block.text).join("\n"),
    dateline: dateline?.place,
    credit: meta.credit,
  };
}

function classifyLines(text: string, timezone: string): Line[] {
  const lines: Line[] = [];
  let afterWeather = false;
  for (const raw of text.split(/\r\n|\r|\n/)) {
    const line = raw
      .replace(/[\u200b-\u200d\ufeff]/g, "")
      .replace(/[\s\u00a0]+/g, " ")
      .trim();
    if (line === "") continue;
    const words = line.split(" ").length;
    let type = classifyLine(line, words, timezone);
    // The weather widget prints the temperature and then the city ("28.4 C" / "Jambi City").
    if (afterWeather && type.kind === "text" && words <= 3 && !/[\d.,!?:;]/.test(line)) {
      type = { kind: "skip" };
    }
    afterWeather = /^-?\d{1,2}(?:[.,]\d)?\s*°?\s*[CF]$/.test(line);
    lines.push({ text: line, words, type });
  }
  return lines;
}

function classifyLine(line: string, words: number, timezone: string): LineKind {
  const label = line
    .toLowerCase()
    .replace(/\s*\(\d+\)$/, "")
    .replace(/[\s:]+$/, "");
  if (SKIP_LABELS.has(label)) return { kind: "skip" };
  if (END_LABELS.has(label)) return { kind: "end" };
  if (SKIP_PATTERNS.some((pattern) => pattern.test(line))) return { kind: "skip" };
  if (isSocialBar(line) || isBreadcrumb(line)) return { kind: "skip" };

  const credit = CREDIT_RE.exec(line);
  if (credit && words <= 12) return { kind: "credit", credit: credit[1]! };
  const tags = TAGS_RE.exec(line);
  if (tags && words <= 30) return { kind: "tags", tags: splitList(tags[1]!) };
  if (END_PATTERNS.some((pattern) => pattern.test(line)) && words <= 12) return { kind: "end" };
  const people = readPeople(line, words);
  if (people) return people;

  if (line.length <= 120) {
    const found = findNewsDate(line, timezone);
    if (found) {
      const before = line.slice(0, found.index);
      const after = line.slice(found.index + found.text.length);
      const rest = `${before} ${after}`
        .replace(/[|•·,]+/g, " ")
        .replace(/(?:^|\s)[-–—](?=\s|$)/g, " ")
        .replace(/\s+/g, " ")
        .trim();
      const restWords = rest === "" ? 0 : rest.split(" ").length;
      const byline = rest === "" ? undefined : readPeople(rest, restWords);
      // Besides the date, a date line holds at most a label, a byline or the site's name, set
      // apart by a separator ("Kompas.com - 04/05/2024"). A headline that merely contains a
      // date ("Jadwal Imsakiyah 12 Maret 2024") is mostly words and has no separator.
      const setApart = /[-–—|•·,(]\s*$/.test(before) || /^\s*[-–—|•·,)]/.test(after);
      const mostlyDate = found.text.length * 2 >= line.length;
      if (rest === "" || byline || (restWords <= 4 && (setApart || mostlyDate))) {
        return {
          kind: "date",
          date: found.date,
          updated: UPDATED_RE.test(line),
          author: byline?.author,
        };
      }
    }
  }
  return { kind: "text" };
}

function readPeople(line: string, words: number): { kind: "people"; author?: string } | undefined {
  if (words > 8 || /[.,;!?]$/.test(line)) return undefined;
  const people = PEOPLE_RE.exec(line);
  if (people) {
    const role = people[1]!.toLowerCase();
    const name = people[2]!.replace(/^:\s*/, "").trim();
    return { kind: "people", author: AUTHOR_ROLES.has(role) ? name : undefined };
  }
  const byline = BYLINE_RE.exec(line);
  if (byline && words <= 6) return { kind: "people", author: byline[1]!.trim() };
  return undefined;
}

function isSocialBar(line: string): boolean {
  const words = line
    .toLowerCase()
    .split(/[\s|•·,]+/)
    .filter(Boolean);
  return words.length >= 1 && words.every((word) => SOCIAL_NAMES.has(word));
}

/** "Home » World » Asia", "Beranda › Internasional". */
function isBreadcrumb(line: string): boolean {
  const parts = line.split(/\s+[»›]\s+/);
  return parts.length >= 2 && parts.every((part) => part.split(" ").length <= 4);
}

/** Prose ends like a sentence and is long, or opens with a dateline. */
function isProse(line: Line): boolean {
  if (line.type.kind !== "text" || !TERMINAL_PUNCTUATION.test(line.text)) return false;
  return line.words >= 10 || readDateline(line.text) !== undefined;
}

/**
 * The body starts at the first line of prose that has a possible headline above it (a
 * site description or cookie notice in the header is prose too, but comes before the title).
 * Without any possible headline, the first line of prose is taken.
 */
function findBodyStart(lines: Line[], from = 0): number | undefined {
  let firstProse: number | undefined;
  let sawHeadline = false;
  for (let i = from; i < lines.length; i++) {
    const line = lines[i]!;
    if (isProse(line)) {
      if (sawHeadline) return i;
      firstProse ??= i;
    }
    if (headlineScore(line) !== undefined) sawHeadline = true;
  }
  return firstProse;
}

/**
 * The title is the most headline-like line before the body: 3 to 30 words, not a
 * sentence, close to the date line and to the first paragraph. Ties go to the later line.
 */
function findTitle(lines: Line[], bodyStart: number): number | undefined {
  const dateIndex = lines.findIndex((line, i) => i < bodyStart && line.type.kind === "date");
  const meaningful = lines.map((line) => line.type.kind !== "skip");
  const distance = (a: number, b: number) => {
    let count = 0;
    for (let i = Math.min(a, b) + 1; i < Math.max(a, b); i++) if (meaningful[i]) count++;
    return count;
  };
  let best: { index: number; score: number } | undefined;
  for (let i = 0; i < bodyStart; i++) {
    const base = headlineScore(lines[i]!);
    if (base === undefined) continue;
    const near = Math.min(
      distance(i, bodyStart),
      dateIndex >= 0 ? distance(i, dateIndex) : Number.POSITIVE_INFINITY,
    );
    const score = base - 0.5 * near;
    if (!best || score >= best.score) best = { index: i, score };
  }
  return best?.index;
}

/** How much a line looks like a headline, or undefined when it cannot be one. */
function headlineScore(line: Line): number | undefined {
  if (line.type.kind !== "text") return undefined;
  if (line.words < 3 || line.words > 30 || line.text.length > 250) return undefined;
  let score = 0;
  if (line.words >= 5 && line.words <= 20) score += 2;
  const lettered = line.text.split(" ").filter((word) => /\p{L}/u.test(word));
  const capitalised = lettered.filter((word) => /^["“‘'(]?\p{Lu}/u.test(word)).length;
  if (lettered.length > 0 && capitalised / lettered.length >= 0.5) score += 1;
  if (/[.,;:]$/.test(line.text)) score -= 3;
  if (/[()|]/.test(line.text)) score -= 2;
  return score;
}

/**
 * Reads paragraphs and sub-headings until the credit line or an end-of-article marker.
 * A sub-heading is a short line without final punctuation followed by a paragraph.
 */
function readBody(lines: Line[], start: number): { blocks: Block[]; end: number } {
  const blocks: Block[] = [];
  let end = lines.length;
  for (let i = start; i < lines.length; i++) {
    const { type, text, words } = lines[i]!;
    if (
      type.kind === "end" ||
      type.kind === "credit" ||
      type.kind === "people" ||
      type.kind === "tags"
    ) {
      end = i;
      break;
    }
    if (type.kind !== "text") continue;
    const heading =
      words <= 12 &&
      text.length <= 100 &&
      !/[.,;:!?…"”'’)\]]$/.test(text) &&
      /^[\p{Lu}\d]/u.test(text);
    blocks.push({ kind: heading ? "h2" : "p", text });
  }
  // A heading with no paragraph after it is a widget label, not part of the article.
  const kept = blocks.filter((block, i) => block.kind === "p" || blocks[i + 1]?.kind === "p");
  return { blocks: kept, end };
}

interface Metadata {
  published?: Date;
  updated?: Date;
  author?: string;
  credit?: string;
  tags: string[];
}

/**
 * Collects the date, byline, credit and tags from the lines above the body's end and from
 * the trailer right after it (credit, editor, tags), stopping at the next section of the page.
 */
function readMetadata(lines: Line[], bodyEnd: number): Metadata {
  const meta: Metadata = { tags: [] };
  let trailerEnd = bodyEnd;
  while (
    trailerEnd < lines.length &&
    lines[trailerEnd]!.type.kind !== "end" &&
    lines[trailerEnd]!.type.kind !== "text"
  ) {
    trailerEnd++;
  }
  // Newspaper-style themes print the tags as a "TAGS" label with one tag per line.
  if (TAG_LABELS.has(lines[trailerEnd]?.text.toLowerCase().replace(/[\s:]+$/, "") ?? "")) {
    for (let i = trailerEnd + 1; i < lines.length; i++) {
      const line = lines[i]!;
      if (line.type.kind !== "text" || line.words > 4 || TERMINAL_PUNCTUATION.test(line.text))
        break;
      meta.tags.push(line.text);
    }
  }
  for (let i = 0; i < trailerEnd; i++) {
    const type = lines[i]!.type;
    if (type.kind === "date") {
      if (type.updated) meta.updated ??= type.date;
      else meta.published ??= type.date;
      meta.author ??= type.author;
    } else if (type.kind === "people") {
      meta.author ??= type.author;
    } else if (type.kind === "credit" && i >= bodyEnd) {
      meta.credit ??= type.credit;
    } else if (type.kind === "tags") {
      if (meta.tags.length === 0) meta.tags = [...new Set(type.tags)];
    }
  }
  return meta;
}

/** The place of a dateline, with all-capital names written the usual way ("JAKARTA" -> "Jakarta"). */
function readDateline(paragraph: string): { place: string; prefixLength: number } | undefined {
  for (const pattern of DATELINE_RES) {
    const m = pattern.exec(paragraph);
    if (!m) continue;
    const place = m[1]!
      .split(" ")
      .map((word) =>
        word === word.toUpperCase() && word.length > 1
          ? word[0] + word.slice(1).toLowerCase()
          : word,
      )
      .join(" ");
    return { place, prefixLength: m[0].length };
  }
  return undefined;
}

function splitList(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/\s*[,;|#]\s*/)
        .map((part) => part.trim())
        .filter(Boolean),
    ),
  ];
}

/** Cuts text to at most `length` characters at a word boundary, marking the cut with "…". */
function truncateAtWord(text: string, length: number): string {
  const trimmed = text.trim();
  if (trimmed.length <= length) return trimmed;
  const cut = trimmed.slice(0, length);
  const lastSpace = cut.lastIndexOf(" ");
  const head = lastSpace > length / 2 ? cut.slice(0, lastSpace) : cut;
  return `${head.replace(/[\s,;:–—-]+$/, "")}…`;
}
