import { randomBytes } from "node:crypto";
import addressparser from "nodemailer/lib/addressparser";
import { encodeWord, encodeWords, foldLines, quoteString } from "nodemailer/lib/mime-funcs";
import { toASCII } from "nodemailer/lib/punycode";
import { encode as qpEncode, wrap as qpWrap } from "nodemailer/lib/qp";

/**
 * Raw MIME for many copies of one message that differ in a few places. A digest edition goes to
 * thousands of readers with the same HTML and text around a handful of per-reader values
 * (greeting, signed links): its constant pieces are quoted-printable encoded once, each ending
 * with a soft line break (`=\r\n`), so that each message only encodes its own short values (also
 * ending with a soft line break) and joins bytes. The multipart/alternative skeleton (boundary,
 * part headers) is made once too; per message only the header block is built.
 *
 * Lines are at most 76 characters in the bodies, CRLF everywhere. The result goes to Nodemailer
 * as `raw`, so pooling, DKIM signing and the envelope work as for any other message.
 */

const CRLF = "\r\n";

/** A document split at its per-recipient values: `pieces` has one more entry than `fields`. */
export interface FillableDocument {
  readonly staticPieces: readonly string[];
  readonly usedFields: readonly string[];
  /** A value as it goes into the document (escaped for HTML in an HTML document). */
  escape(value: string): string;
}

/** Line breaks as CRLF, whatever they were. */
function crlf(text: string): string {
  return text.includes("\n") || text.includes("\r") ? text.replace(/\r\n|\r|\n/g, CRLF) : text;
}

/**
 * Quoted-printable of a piece of a body that more text follows: lines of at most 75 characters
 * and a soft line break at the end, so that the whole line with its `=` stays within 76 and the
 * next piece starts on a line of its own. Empty text encodes to nothing.
 */
export function qpSegment(text: string): string {
  if (text.length === 0) return "";
  return `${qpWrap(qpEncode(crlf(text)), 75)}=${CRLF}`;
}

/** Quoted-printable of the last piece of a body: lines of at most 76 characters. */
function qpLast(text: string): string {
  return text.length === 0 ? "" : qpWrap(qpEncode(crlf(text)), 76);
}

/** A body part encoded once, filled per message with quoted-printable values. */
class EncodedBody {
  private readonly pieces: Buffer[];
  private readonly fields: readonly string[];

  constructor(private readonly document: FillableDocument) {
    const pieces = document.staticPieces;
    this.fields = document.usedFields;
    this.pieces = pieces.map((piece, index) =>
      Buffer.from(index === pieces.length - 1 ? qpLast(piece) : qpSegment(piece), "latin1"),
    );
  }

  /** Appends this body with the recipient's values to `out`; returns the bytes appended. */
  fillInto(values: Readonly<Record<string, string>>, out: Buffer[]): number {
    let length = 0;
    const first = this.pieces[0]!;
    out.push(first);
    length += first.length;
    for (let index = 0; index < this.fields.length; index += 1) {
      const raw = values[this.fields[index]!] ?? "";
      const value = Buffer.from(qpSegment(this.document.escape(raw)), "latin1");
      const next = this.pieces[index + 1]!;
      out.push(value, next);
      length += value.length + next.length;
    }
    return length;
  }
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: counting control characters is the point
const NON_LATIN = /[\x00-\x08\x0b\x0c\x0e-\x1f\u0080-\uFFFF]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const HEADER_UNSAFE = /[\x00-\x08\x0a-\x1f\x7f]+/g;

/** "B" for text mostly outside Latin script, else "Q": what Nodemailer chooses. */
function wordEncoding(value: string): "B" | "Q" {
  const nonLatin = value.match(NON_LATIN)?.length ?? 0;
  const latin = value.match(/[a-z]/gi)?.length ?? 0;
  return nonLatin < latin ? "Q" : "B";
}

/** Characters that cannot appear in a header, and line breaks, as spaces. */
function headerSafe(value: string): string {
  return value.replace(HEADER_UNSAFE, " ");
}

/** A display name as a phrase: as is, quoted, or RFC 2047 encoded words. */
export function encodeDisplayName(name: string): string {
  const clean = headerSafe(name).trim();
  if (/^[\w ]*$/.test(clean)) return clean;
  if (/^[\x20-\x7e]*$/.test(clean)) return quoteString(clean);
  return encodeWord(clean, wordEncoding(clean), 52);
}

/** An address with its domain in ASCII (punycode for an internationalised domain). */
export function asciiAddress(address: string): string {
  const clean = address.replace(/[\s<>]+/g, "");
  const at = clean.lastIndexOf("@");
  if (at < 0 || /^[\x21-\x7e]*$/.test(clean)) return clean;
  return `${clean.slice(0, at)}@${toASCII(clean.slice(at + 1))}`;
}

/** A mailbox for an address header. */
export function formatMailbox(mailbox: { address: string; name?: string | undefined }): string {
  const address = asciiAddress(mailbox.address);
  const name = mailbox.name ? encodeDisplayName(mailbox.name) : "";
  return name ? `${name} <${address}>` : address;
}

/** The first mailbox of an address list such as `Name <user@host>`. */
export function parseMailbox(value: string): { address: string; name?: string } {
  for (const entry of addressparser(value, { flatten: true })) {
    if ("address" in entry && entry.address) {
      return entry.name ? { address: entry.address, name: entry.name } : { address: entry.address };
    }
  }
  return { address: value.trim() };
}

/** An unstructured header field, non-ASCII words encoded, folded at 76 characters. */
export function headerField(key: string, value: string): string {
  const clean = headerSafe(value);
  const encoded = /[^\x20-\x7e]/.test(clean) ? encodeWords(clean, wordEncoding(clean), 52) : clean;
  return foldLines(`${key}: ${encoded}`, 76);
}

/** A structured header field that is taken as it is (Message-ID, addresses), folded. */
function preparedField(key: string, value: string): string {
  return foldLines(`${key}: ${headerSafe(value)}`, 76);
}

/** What every message of an edition shares. */
export interface RawEditionSettings {
  from: string;
  replyTo?: string | undefined;
  /** The subject, or undefined when it differs per recipient (then given to `build`). */
  subject?: string | undefined;
  /** Constant header fields after the address and identity fields (List-Id, ...). */
  headers: Readonly<Record<string, string>>;
  html: FillableDocument;
  text: FillableDocument;
}

/** What differs per message. */
export interface RawRecipient {
  to: { address: string; name?: string | undefined };
  messageId: string;
  date: Date;
  /** Used when the edition has no constant subject. */
  subject?: string;
  /** Header fields of this message, after the constant ones (List-Unsubscribe, ...). */
  headers: Readonly<Record<string, string>>;
  /** The values of the fields the documents use. */
  values: Readonly<Record<string, string>>;
}

/** The date as RFC 5322 wants it, as Nodemailer writes it. */
export function headerDate(date: Date): string {
  return date.toUTCString().replace(/GMT/, "+0000");
}

/** A msg-id in angle brackets. */
function msgId(id: string): string {
  let value = headerSafe(id).trim();
  if (!value.startsWith("<")) value = `<${value}`;
  if (!value.endsWith(">")) value = `${value}>`;
  return value;
}

/** One edition's MIME, compiled once and filled per message. */
export class RawEditionMessage {
  /** The part boundary: `=_` never occurs in quoted-printable, so never in the bodies. */
  readonly boundary: string;
  private readonly html: EncodedBody;
  private readonly text: EncodedBody;
  private readonly fromField: string;
  private readonly replyToField: string;
  private readonly subjectField: string | undefined;
  private readonly constantFields: string;
  private readonly textHead: Buffer;
  private readonly htmlHead: Buffer;
  private readonly tail: Buffer;

  constructor(settings: RawEditionSettings) {
    this.boundary = `=_warta_${randomBytes(12).toString("hex")}`;
    this.html = new EncodedBody(settings.html);
    this.text = new EncodedBody(settings.text);
    this.fromField = preparedField("From", formatMailbox(parseMailbox(settings.from)));
    this.replyToField = settings.replyTo
      ? preparedField("Reply-To", formatMailbox(parseMailbox(settings.replyTo)))
      : "";
    this.subjectField =
      settings.subject === undefined ? undefined : headerField("Subject", settings.subject);
    const constant = ["MIME-Version: 1.0"];
    for (const [key, value] of Object.entries(settings.headers)) {
      constant.push(headerField(key, value));
    }
    this.constantFields = constant.join(CRLF);
    const part = (type: string) =>
      `--${this.boundary}${CRLF}Content-Type: ${type}; charset=utf-8${CRLF}` +
      `Content-Transfer-Encoding: quoted-printable${CRLF}${CRLF}`;
    this.textHead = Buffer.from(
      `Content-Type: multipart/alternative;${CRLF} boundary="${this.boundary}"${CRLF}${CRLF}` +
        part("text/plain"),
      "latin1",
    );
    this.htmlHead = Buffer.from(`${CRLF}${part("text/html")}`, "latin1");
    this.tail = Buffer.from(`${CRLF}--${this.boundary}--${CRLF}`, "latin1");
  }

  /** The complete message of one recipient, CRLF line endings. */
  build(recipient: RawRecipient): Buffer {
    const fields = [this.fromField];
    if (this.replyToField) fields.push(this.replyToField);
    fields.push(preparedField("To", formatMailbox(recipient.to)));
    fields.push(this.subjectField ?? headerField("Subject", recipient.subject ?? ""));
    fields.push(preparedField("Message-ID", msgId(recipient.messageId)));
    fields.push(`Date: ${headerDate(recipient.date)}`);
    fields.push(this.constantFields);
    for (const [key, value] of Object.entries(recipient.headers)) {
      fields.push(headerField(key, value));
    }
    const head = Buffer.from(`${fields.join(CRLF)}${CRLF}`, "utf8");
    const out: Buffer[] = [head, this.textHead];
    let length = head.length + this.textHead.length;
    length += this.text.fillInto(recipient.values, out);
    out.push(this.htmlHead);
    length += this.htmlHead.length;
    length += this.html.fillInto(recipient.values, out);
    out.push(this.tail);
    length += this.tail.length;
    return Buffer.concat(out, length);
  }
}
