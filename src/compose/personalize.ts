/**
 * Personalisation without re-rendering. A digest variant is compiled once with placeholders
 * where per-recipient values go; each message then only joins the compiled pieces with that
 * recipient's values, escaped for HTML in the HTML part and left as they are in the text part.
 *
 * A placeholder is `\uE000warta:<field>\uE001`: private-use characters, which never occur in
 * rendered article text because the digest view strips them (see `stripPlaceholderMarks`).
 */

/** The per-recipient fields a template may show. */
export const recipientFields = [
  "name",
  "greeting",
  "unsubscribe_url",
  "preferences_url",
  "web_url",
] as const;
export type RecipientField = (typeof recipientFields)[number];

/** One recipient's values. `name` and `greeting` are plain text; URLs are absolute. */
export type RecipientValues = Record<RecipientField, string>;

const OPEN = "\uE000";
const CLOSE = "\uE001";

/** The placeholder text of a field, as templates receive it in place of the value. */
export function placeholder(field: RecipientField): string {
  return `${OPEN}warta:${field}${CLOSE}`;
}

/** Every placeholder by field: what the template data carries instead of recipient values. */
export const placeholders: Readonly<RecipientValues> = Object.freeze(
  Object.fromEntries(
    recipientFields.map((field) => [field, placeholder(field)]),
  ) as RecipientValues,
);

/** Removes the placeholder delimiters from untrusted text (article titles, summaries). */
export function stripPlaceholderMarks(text: string): string {
  return text.includes(OPEN) || text.includes(CLOSE) ? text.replace(/[\uE000\uE001]/g, "") : text;
}

const pattern = new RegExp(`${OPEN}warta:([a-z_]+)${CLOSE}`, "g");

const htmlEscapes: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => htmlEscapes[char] ?? char);
}

/** A compiled document split at its placeholders, ready to be filled for each recipient. */
export class PersonalizedTemplate {
  private readonly pieces: string[];
  private readonly fields: RecipientField[];
  /** The pieces as UTF-8, made on first use by fillBuffer and byteLength. */
  private pieceBytes: Buffer[] | undefined;

  private constructor(
    pieces: string[],
    fields: RecipientField[],
    private readonly encode: (value: string) => string,
  ) {
    this.pieces = pieces;
    this.fields = fields;
  }

  /**
   * Splits a compiled document. `html` escapes values for HTML; `text` inserts them as they are.
   * Throws on a placeholder naming an unknown field (a template bug, caught at compile time).
   */
  static compile(document: string, kind: "html" | "text"): PersonalizedTemplate {
    const pieces: string[] = [];
    const fields: RecipientField[] = [];
    let last = 0;
    for (const match of document.matchAll(pattern)) {
      const field = match[1] as RecipientField;
      if (!recipientFields.includes(field)) {
        throw new Error(`personalize: unknown recipient field "${match[1]}"`);
      }
      pieces.push(document.slice(last, match.index));
      fields.push(field);
      last = match.index + match[0].length;
    }
    pieces.push(document.slice(last));
    return new PersonalizedTemplate(pieces, fields, kind === "html" ? escapeHtml : (v) => v);
  }

  /** The fields this document uses, in order of appearance (with repeats). */
  get usedFields(): readonly RecipientField[] {
    return this.fields;
  }

  /** The constant text around the placeholders: one piece more than there are fields. */
  get staticPieces(): readonly string[] {
    return this.pieces;
  }

  /** A value as it goes into the document: escaped for HTML in an HTML document. */
  escape(value: string): string {
    return this.encode(value);
  }

  /** The document with one recipient's values in place of the placeholders. */
  fill(values: RecipientValues): string {
    let out = this.pieces[0] ?? "";
    for (let index = 0; index < this.fields.length; index += 1) {
      out += this.encode(values[this.fields[index]!]) + this.pieces[index + 1];
    }
    return out;
  }

  /**
   * The filled document as UTF-8 bytes, for a mailer that takes a Buffer (Nodemailer does).
   * Much faster than `fill` for large documents with characters beyond Latin-1 (a "–" or a
   * "…" is enough): V8 stores such a string with two bytes a character, and a digest of
   * 80,000 characters then lands in its large-object space, slow to allocate and collect;
   * here the constant pieces are encoded once and only copied.
   */
  fillBuffer(values: RecipientValues): Buffer {
    const pieces = this.encodedPieces();
    const parts: Buffer[] = [pieces[0]!];
    let length = pieces[0]!.length;
    for (let index = 0; index < this.fields.length; index += 1) {
      const value = Buffer.from(this.encode(values[this.fields[index]!]), "utf8");
      const next = pieces[index + 1]!;
      parts.push(value, next);
      length += value.length + next.length;
    }
    return Buffer.concat(parts, length);
  }

  /** Size in bytes (UTF-8) of the document filled with the given values. */
  byteLength(values: RecipientValues): number {
    let length = 0;
    for (const piece of this.encodedPieces()) length += piece.length;
    for (const field of this.fields)
      length += Buffer.byteLength(this.encode(values[field]), "utf8");
    return length;
  }

  private encodedPieces(): Buffer[] {
    this.pieceBytes ??= this.pieces.map((piece) => Buffer.from(piece, "utf8"));
    return this.pieceBytes;
  }
}
