import { AppError } from "../shared/errors.js";
import { escapeXml } from "./text.js";

// Slot tokens are made of C0 controls, which cleanText() removes from every input string and
// URL serialisation percent-encodes, so a token can never collide with content.
const VALUE_OPEN = "\u0001";
const ANCHOR_OPEN = "\u0003";
const CLOSE = "\u0002";
// biome-ignore lint/suspicious/noControlCharactersInRegex: slot tokens are control characters
const VALUE_TOKEN = /\u0001(\d+)\u0002/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: slot tokens are control characters
const ANY_TOKEN_CHAR = /[\u0001-\u0003]/;

/**
 * Placeholders for the text handed to `feed`. Its XML writer (xml-js) escapes text and attributes
 * wrongly ("&amp;" in text loses a level, "<" in attributes is left raw, only the first "]]>" of
 * a CDATA section is split), so the library gets opaque tokens and the real values are escaped
 * here and put back once the document is written. Until then the document holds no user text,
 * which also makes structural patches on it safe.
 */
export class XmlSlots {
  readonly #values: string[] = [];
  #anchors = 0;

  /** A token for text or a double-quoted attribute value. */
  text(value: string): string {
    return this.#add(escapeXml(value));
  }

  /** A token for the content of a CDATA section (every "]]>" gets split). */
  cdata(value: string): string {
    return this.#add(value.replaceAll("]]>", "]]]]><![CDATA[>"));
  }

  /** A token that stands for nothing: the caller finds it and patches it away before fill(). */
  anchor(): string {
    this.#anchors += 1;
    return `${ANCHOR_OPEN}${this.#anchors}${CLOSE}`;
  }

  /** Replaces every value token with its escaped value; throws if a token is lost or left over. */
  fill(xml: string): string {
    let filled = 0;
    const out = xml.replace(VALUE_TOKEN, (_token, index: string) => {
      filled += 1;
      return this.#values[Number(index)] ?? "";
    });
    if (filled !== this.#values.length || ANY_TOKEN_CHAR.test(out)) {
      throw new AppError(
        "PUBLISH_RENDER",
        `publish: ${filled} of ${this.#values.length} values reached the feed document`,
      );
    }
    return out;
  }

  #add(value: string): string {
    this.#values.push(value);
    return `${VALUE_OPEN}${this.#values.length - 1}${CLOSE}`;
  }
}

/** Replaces the one match of a (non-global) pattern, throwing when there is none: the library changed. */
export function patchOnce(
  xml: string,
  pattern: RegExp,
  replace: (match: string, ...groups: string[]) => string,
): string {
  if (pattern.global || !pattern.test(xml)) {
    throw new AppError("PUBLISH_RENDER", `publish: feed document lacks ${String(pattern)}`);
  }
  return xml.replace(pattern, replace);
}

/** Escapes a string for use inside a regular expression. */
export function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
