import { isAscii, isUtf8 } from "node:buffer";
import iconv from "iconv-lite";

/** A document decoded to text, with the character encoding that was used. */
export interface DecodedXml {
  text: string;
  /** Lower-case encoding name: the label that was declared or detected ("iso-8859-1", "utf-16le"). */
  encoding: string;
}

/** Byte order marks, longest first so that UTF-32 LE is not taken for UTF-16 LE. */
const BOMS: readonly { bytes: readonly number[]; encoding: string }[] = [
  { bytes: [0x00, 0x00, 0xfe, 0xff], encoding: "utf-32be" },
  { bytes: [0xff, 0xfe, 0x00, 0x00], encoding: "utf-32le" },
  { bytes: [0xef, 0xbb, 0xbf], encoding: "utf-8" },
  { bytes: [0xfe, 0xff], encoding: "utf-16be" },
  { bytes: [0xff, 0xfe], encoding: "utf-16le" },
];

/** Labels folded onto one canonical name (the WHATWG and IANA aliases met in feeds). */
const ALIASES: Readonly<Record<string, string>> = {
  utf8: "utf-8",
  "unicode-1-1-utf-8": "utf-8",
  ascii: "us-ascii",
  "ansi_x3.4-1968": "us-ascii",
  "iso646-us": "us-ascii",
  "iso-ir-6": "us-ascii",
  latin1: "iso-8859-1",
  "latin-1": "iso-8859-1",
  l1: "iso-8859-1",
  iso8859_1: "iso-8859-1",
  "iso8859-1": "iso-8859-1",
  "iso_8859-1": "iso-8859-1",
  cp819: "iso-8859-1",
  ibm819: "iso-8859-1",
  cp1252: "windows-1252",
  "x-cp1252": "windows-1252",
  // GB 2312 text is read as its superset GB 18030, as browsers do.
  gb2312: "gb18030",
  gbk: "gb18030",
  "x-gbk": "gb18030",
  "gb_2312-80": "gb18030",
  csgb2312: "gb18030",
  chinese: "gb18030",
  utf16: "utf-16",
  utf_16: "utf-16",
  utf32: "utf-32",
  utf_32: "utf-32",
};

const UNICODE_WIDE = new Set(["utf-16", "utf-16le", "utf-16be", "utf-32", "utf-32le", "utf-32be"]);

/**
 * Decodes an XML (or JSON) document to text. The encoding comes from, in order: a byte order
 * mark; the UTF-16/32 byte pattern of "<"; the charset of the HTTP Content-Type; for text/*
 * types without one, RFC 3023's us-ascii when the bytes are ASCII; the XML declaration;
 * UTF-8. A declaration the bytes contradict is overridden: invalid UTF-8 is read as
 * windows-1252, and a Latin-1 or ASCII declaration over valid multi-byte UTF-8 as UTF-8.
 * ISO-8859-1 is decoded as windows-1252, as browsers do. Never throws on bad bytes.
 * @example decodeXml(body, "application/rss+xml; charset=iso-8859-1").text
 */
export function decodeXml(bytes: Buffer, contentType?: string): DecodedXml {
  for (const bom of BOMS) {
    if (startsWith(bytes, bom.bytes)) {
      return decodeAs(bytes.subarray(bom.bytes.length), bom.encoding);
    }
  }
  const wide = sniffWideEncoding(bytes);
  if (wide) return decodeAs(bytes, wide);

  const { mediaType, charset } = parseContentType(contentType);
  const fromHeader = charset === undefined ? undefined : canonicalEncoding(charset);
  if (fromHeader && !UNICODE_WIDE.has(fromHeader)) return decodeDeclared(bytes, fromHeader);

  // RFC 3023 makes text/xml without a charset us-ascii, whatever the XML declaration says.
  // RFC 7303 later dropped that rule; we keep it only where it cannot destroy characters.
  if (fromHeader === undefined && mediaType.startsWith("text/") && isAscii(bytes)) {
    return { text: bytes.toString("latin1"), encoding: "us-ascii" };
  }

  const declared = readXmlDeclaration(bytes);
  const fromDeclaration = declared === undefined ? undefined : canonicalEncoding(declared);
  // Without a BOM or a UTF-16/32 byte pattern, a UTF-16/32 declaration cannot be right.
  if (fromDeclaration && !UNICODE_WIDE.has(fromDeclaration)) {
    return decodeDeclared(bytes, fromDeclaration);
  }
  return decodeDeclared(bytes, "utf-8");
}

/** Reads the media type and charset of a Content-Type header value. */
export function parseContentType(contentType: string | undefined): {
  mediaType: string;
  charset?: string;
} {
  if (!contentType) return { mediaType: "" };
  const [type = "", ...params] = contentType.split(";");
  let charset: string | undefined;
  for (const param of params) {
    const m = /^\s*([^=\s]+)\s*=\s*(.*?)\s*$/.exec(param);
    if (m && m[1]!.toLowerCase() === "charset") {
      charset = m[2]!.replace(/^(["'])(.*)\1$/, "$2").trim() || undefined;
    }
  }
  return { mediaType: type.trim().toLowerCase(), charset };
}

/** The canonical name of an encoding label, or undefined when iconv-lite cannot decode it. */
function canonicalEncoding(label: string): string | undefined {
  const lower = label.trim().toLowerCase();
  const name = ALIASES[lower] ?? ALIASES[lower.replace(/-/g, "_")] ?? lower.replace(/_/g, "-");
  if (name === "us-ascii" || name === "utf-8") return name;
  return iconv.encodingExists(name) ? name : undefined;
}

/** Decodes with a declared encoding unless the bytes show the declaration to be wrong. */
function decodeDeclared(bytes: Buffer, encoding: string): DecodedXml {
  switch (encoding) {
    case "utf-8":
      if (isUtf8(bytes)) return { text: bytes.toString("utf8"), encoding };
      return decodeAs(bytes, "windows-1252");
    case "us-ascii":
    case "iso-8859-1":
    case "windows-1252":
      if (isAscii(bytes)) return { text: bytes.toString("latin1"), encoding };
      // Valid multi-byte UTF-8 is almost never meant as Latin-1: the declaration is stale.
      if (isUtf8(bytes)) return { text: bytes.toString("utf8"), encoding: "utf-8" };
      return { text: iconv.decode(bytes, "windows-1252"), encoding };
    default:
      return decodeAs(bytes, encoding);
  }
}

function decodeAs(bytes: Buffer, encoding: string): DecodedXml {
  if (encoding === "utf-8") return { text: bytes.toString("utf8"), encoding };
  // A bare "utf-16"/"utf-32" without a BOM is big-endian (RFC 2781).
  const resolved = encoding === "utf-16" || encoding === "utf-32" ? `${encoding}be` : encoding;
  return { text: iconv.decode(bytes, resolved, { stripBOM: false }), encoding: resolved };
}

/**
 * UTF-16/32 without a BOM, from where the zero bytes of the first ASCII characters fall
 * ("<?" or whitespace; XML 1.0 appendix F).
 */
function sniffWideEncoding(bytes: Buffer): string | undefined {
  if (bytes.length < 4) return undefined;
  const zero = [bytes[0] === 0, bytes[1] === 0, bytes[2] === 0, bytes[3] === 0];
  const pattern = zero.map((z) => (z ? "0" : "x")).join("");
  switch (pattern) {
    case "000x":
      return "utf-32be";
    case "x000":
      return "utf-32le";
    case "0x0x":
      return "utf-16be";
    case "x0x0":
      return "utf-16le";
    default:
      return undefined;
  }
}

/** The encoding named in the XML declaration, read from the first bytes as ASCII. */
function readXmlDeclaration(bytes: Buffer): string | undefined {
  const head = bytes.subarray(0, 1024).toString("latin1");
  const m = /^\s*<\?xml\s[^>]*?\bencoding\s*=\s*(["'])\s*([A-Za-z0-9._:-]+)\s*\1/.exec(head);
  return m?.[2];
}

function startsWith(bytes: Buffer, prefix: readonly number[]): boolean {
  if (bytes.length < prefix.length) return false;
  return prefix.every((byte, i) => bytes[i] === byte);
}
