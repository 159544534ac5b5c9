import iconv from "iconv-lite";

/** How many bytes at the start of a page are searched for a <meta> charset. */
const PRESCAN_BYTES = 4096;

/**
 * Labels that WHATWG maps to another encoding: browsers read "iso-8859-1" and "ascii" pages
 * as windows-1252, and a <meta> cannot truly declare UTF-16 (it would not be readable).
 */
const ALIASES: Readonly<Record<string, string>> = {
  "iso-8859-1": "windows-1252",
  iso8859_1: "windows-1252",
  "iso_8859-1": "windows-1252",
  latin1: "windows-1252",
  l1: "windows-1252",
  "us-ascii": "windows-1252",
  ascii: "windows-1252",
  "x-user-defined": "windows-1252",
  "iso-8859-9": "windows-1254",
  "tis-620": "windows-874",
  "iso-8859-11": "windows-874",
  "x-sjis": "shift_jis",
  gb2312: "gbk",
  "x-gbk": "gbk",
  "ks_c_5601-1987": "euc-kr",
  utf8: "utf-8",
  "unicode-1-1-utf-8": "utf-8",
};

/**
 * Decodes the bytes of an HTML page to text. The encoding comes from a byte order mark,
 * then the HTTP Content-Type charset, then a <meta charset> or http-equiv in the first
 * bytes (or an XML declaration), else UTF-8. Unknown labels fall back to UTF-8, and bytes
 * invalid in the encoding become U+FFFD: it never throws.
 * @example decodeHtml(Buffer.from("<meta charset=iso-8859-1>caf\xe9", "latin1")) // "<meta charset=iso-8859-1>café"
 */
export function decodeHtml(bytes: Buffer, contentType?: string): string {
  const bom = sniffBom(bytes);
  if (bom) return decodeWith(bytes.subarray(bom.length), bom.encoding);
  const declared = usable(charsetOf(contentType), false) ?? usable(prescan(bytes), true) ?? "utf-8";
  return decodeWith(bytes, declared);
}

function sniffBom(bytes: Buffer): { encoding: string; length: number } | undefined {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { encoding: "utf-8", length: 3 };
  }
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { encoding: "utf-16le", length: 2 };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { encoding: "utf-16be", length: 2 };
  return undefined;
}

/** The charset parameter of a Content-Type header value. */
function charsetOf(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined;
  const m = /;\s*charset\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s;]+))/i.exec(contentType);
  return m ? (m[1] ?? m[2] ?? m[3]) : undefined;
}

/** The encoding a page declares in its first bytes (<meta> or XML declaration). */
function prescan(bytes: Buffer): string | undefined {
  const head = bytes.subarray(0, PRESCAN_BYTES).toString("latin1");
  const xml = /^\s*<\?xml[^>]*\bencoding\s*=\s*["']([^"']+)["']/i.exec(head);
  if (xml) return xml[1];
  for (const m of head.matchAll(/<meta\b([^>]*)>/gi)) {
    const attributes = m[1] ?? "";
    const charset = /\bcharset\s*=\s*["']?\s*([^\s"'/>;]+)/i.exec(attributes);
    if (charset && !/\bcontent\s*=/i.test(attributes)) return charset[1];
    if (/\bhttp-equiv\s*=\s*["']?\s*content-type/i.test(attributes)) {
      const content = /\bcontent\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i.exec(attributes);
      const value = content ? (content[1] ?? content[2] ?? content[3]) : undefined;
      const inner = value ? /charset\s*=\s*["']?([^\s"';]+)/i.exec(value) : null;
      if (inner) return inner[1];
    }
  }
  return undefined;
}

/** A label iconv-lite can decode, normalised; undefined when unknown. */
function usable(label: string | undefined, fromMeta: boolean): string | undefined {
  if (!label) return undefined;
  const lower = label.trim().toLowerCase();
  if (lower === "") return undefined;
  // A page whose <meta> says UTF-16 was read as ASCII to find it, so it is not UTF-16.
  if (fromMeta && lower.startsWith("utf-16")) return "utf-8";
  const name = ALIASES[lower] ?? lower;
  return iconv.encodingExists(name) ? name : undefined;
}

function decodeWith(bytes: Buffer, encoding: string): string {
  try {
    if (encoding === "utf-8") return new TextDecoder("utf-8").decode(bytes);
    return iconv.decode(bytes, encoding);
  } catch {
    return new TextDecoder("utf-8").decode(bytes);
  }
}
