/** Elements that start a new line of text. */
export const BLOCK_TAGS: ReadonlySet<string> = new Set([
  "address",
  "article",
  "aside",
  "blockquote",
  "caption",
  "dd",
  "details",
  "div",
  "dl",
  "dt",
  "figcaption",
  "figure",
  "footer",
  "h1",
  "h2",
  "h3",
  "h4",
  "h5",
  "h6",
  "header",
  "hr",
  "li",
  "main",
  "ol",
  "p",
  "pre",
  "section",
  "summary",
  "table",
  "tbody",
  "tfoot",
  "thead",
  "tr",
  "ul",
]);

/** Elements whose content a reader never sees as text. */
const HIDDEN_TAGS: ReadonlySet<string> = new Set([
  "button",
  "canvas",
  "head",
  "iframe",
  "math",
  "noscript",
  "object",
  "script",
  "select",
  "style",
  "svg",
  "template",
  "textarea",
  "title",
]);

const NAMED_ENTITIES: Readonly<Record<string, string>> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: "\u00a0",
  ensp: "\u2002",
  emsp: "\u2003",
  thinsp: "\u2009",
  shy: "",
  zwj: "\u200d",
  zwnj: "\u200c",
  ndash: "\u2013",
  mdash: "\u2014",
  hellip: "\u2026",
  lsquo: "\u2018",
  rsquo: "\u2019",
  sbquo: "\u201a",
  ldquo: "\u201c",
  rdquo: "\u201d",
  bdquo: "\u201e",
  laquo: "\u00ab",
  raquo: "\u00bb",
  lsaquo: "\u2039",
  rsaquo: "\u203a",
  bull: "\u2022",
  middot: "\u00b7",
  copy: "\u00a9",
  reg: "\u00ae",
  trade: "\u2122",
  deg: "\u00b0",
  times: "\u00d7",
  divide: "\u00f7",
  plusmn: "\u00b1",
  frac12: "\u00bd",
  frac14: "\u00bc",
  frac34: "\u00be",
  euro: "\u20ac",
  pound: "\u00a3",
  yen: "\u00a5",
  cent: "\u00a2",
  sect: "\u00a7",
  para: "\u00b6",
  szlig: "\u00df",
  aelig: "\u00e6",
  AElig: "\u00c6",
  oslash: "\u00f8",
  Oslash: "\u00d8",
};

/** Combining marks for the accented-letter entities (&eacute;, &Uuml;, ...). */
const ACCENTS: Readonly<Record<string, string>> = {
  acute: "\u0301",
  grave: "\u0300",
  circ: "\u0302",
  tilde: "\u0303",
  uml: "\u0308",
  ring: "\u030a",
  cedil: "\u0327",
};

const TOKEN_RE =
  /<!--[\s\S]*?(?:-->|$)|<!\[CDATA\[([\s\S]*?)\]\]>|<[!?][^>]*>|<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:[^>"']|"[^"]*"|'[^']*')*)>|([^<]+)|</g;

/**
 * Decodes HTML character references: numeric ones, the common named ones and the
 * accented letters. Unknown names are left as written.
 */
export function decodeEntities(text: string): string {
  return text.replace(/&(#[xX][0-9a-fA-F]+|#\d+|[a-zA-Z][a-zA-Z0-9]*);?/g, (whole, ref: string) => {
    if (ref.startsWith("#")) {
      const code = /^#[xX]/.test(ref) ? Number.parseInt(ref.slice(2), 16) : Number(ref.slice(1));
      if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return "\ufffd";
      return String.fromCodePoint(code);
    }
    const named = NAMED_ENTITIES[ref];
    if (named !== undefined) return named;
    const accented = /^([a-zA-Z])(acute|grave|circ|tilde|uml|ring|cedil)$/.exec(ref);
    if (accented) return `${accented[1]}${ACCENTS[accented[2]!]}`.normalize("NFC");
    return whole;
  });
}

/** Escapes text for use in HTML content or a double-quoted attribute. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}

/**
 * Turns an HTML fragment into the text a reader sees: one line per paragraph, heading,
 * list item or table row, whitespace collapsed (kept as is inside <pre>), entities decoded.
 * @example htmlToText("<h2>A &amp; B</h2><p>One<br>two</p>") // "A & B\nOne\ntwo"
 */
export function htmlToText(html: string): string {
  const lines: string[] = [];
  let line = "";
  let preDepth = 0;
  let hidden: { tag: string; depth: number } | undefined;

  const flush = () => {
    const text = preDepth > 0 ? line.replace(/^\n+|\s+$/g, "") : line.replace(/\s+/g, " ").trim();
    if (text !== "") lines.push(text);
    line = "";
  };

  for (const m of html.matchAll(TOKEN_RE)) {
    const [whole, cdata, slash, rawName, , text] = m;
    const name = rawName?.toLowerCase();
    if (hidden) {
      if (name === hidden.tag) hidden.depth += slash ? -1 : whole.endsWith("/>") ? 0 : 1;
      if (hidden.depth === 0) hidden = undefined;
      continue;
    }
    if (text !== undefined || cdata !== undefined) {
      line += text !== undefined ? decodeEntities(text) : cdata;
      continue;
    }
    if (whole === "<") {
      line += "<";
      continue;
    }
    if (name === undefined) continue;
    if (HIDDEN_TAGS.has(name)) {
      if (!slash && !whole.endsWith("/>")) hidden = { tag: name, depth: 1 };
      continue;
    }
    if (name === "br") {
      if (preDepth > 0) line += "\n";
      else flush();
    } else if (name === "td" || name === "th") {
      // Cells of one row stay on one line, separated so that they do not run together.
      if (!slash && line.trim() !== "") line += " | ";
    } else if (BLOCK_TAGS.has(name)) {
      flush();
      if (name === "pre") preDepth = Math.max(0, preDepth + (slash ? -1 : 1));
    }
  }
  flush();
  return lines.join("\n");
}
