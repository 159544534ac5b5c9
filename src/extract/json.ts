import type { ArticleDraft } from "../domain/index.js";
import { AppError } from "../shared/errors.js";
import { type ExtractOptions, isRecord, readDraftFields } from "./fields.js";
import { escapeHtml, htmlToText } from "./html-text.js";

/**
 * Parses one article written as a JSON object (JSON Feed item names are accepted) into a draft.
 * The body is `content_html` or `content` (HTML), or `content_text` or `body` (plain text,
 * paragraphs separated by blank lines).
 * @example parseJsonArticle('{"title":"Halo","content_text":"Isi."}', { timezone: "Asia/Jakarta" })
 */
export function parseJsonArticle(text: string, options: ExtractOptions): ArticleDraft {
  const data = parseJson(text.replace(/^\ufeff/, ""));
  if (!isRecord(data)) {
    const kind = Array.isArray(data) ? "a list" : data === null ? "null" : `a ${typeof data}`;
    throw new AppError("PARSE_JSON", `json: expected an object at the top level, not ${kind}`);
  }
  return readDraftFields(
    data,
    { stage: "json", code: "PARSE_JSON", timezone: options.timezone },
    options,
    readBody(data),
    {
      published: ["date_published", "published", "date"],
      updated: ["date_modified", "updated", "modified"],
    },
  );
}

function readBody(data: Record<string, unknown>): { contentHtml: string; contentText: string } {
  const html = readBodyField(data, ["content_html", "content"]);
  const text = readBodyField(data, ["content_text", "body"]);
  const paragraphs = text === undefined ? undefined : splitParagraphs(text);
  if (html !== undefined) {
    // When both are given, the plain text is the author's own; otherwise it is read off the HTML.
    return {
      contentHtml: html.trim(),
      contentText: paragraphs ? paragraphs.join("\n") : htmlToText(html),
    };
  }
  if (paragraphs) {
    return {
      contentHtml: paragraphs.map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`).join("\n"),
      contentText: paragraphs.join("\n"),
    };
  }
  return { contentHtml: "", contentText: "" };
}

function readBodyField(data: Record<string, unknown>, keys: string[]): string | undefined {
  for (const key of keys) {
    const value = data[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== "string") {
      throw new AppError("PARSE_JSON", `json: "${key}" must be a string`);
    }
    return value;
  }
  return undefined;
}

/** Paragraphs are separated by blank lines; single line breaks inside one are soft wraps. */
function splitParagraphs(text: string): string[] {
  return text
    .split(/\r?\n[ \t]*\r?\n/)
    .map((paragraph) => paragraph.replace(/\s+/g, " ").trim())
    .filter((paragraph) => paragraph !== "");
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    // Node 20's messages do not always say where the error is, so find the place ourselves.
    const position = findJsonErrorPosition(text);
    const { line, column } = lineAndColumn(text, position);
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new AppError(
      "PARSE_JSON",
      `json: invalid JSON at line ${line}, column ${column} (position ${position}): ${reason}`,
      { cause: error },
    );
  }
}

function lineAndColumn(text: string, position: number): { line: number; column: number } {
  const before = text.slice(0, position);
  const line = before.split("\n").length;
  const column = position - (before.lastIndexOf("\n") + 1) + 1;
  return { line, column };
}

/**
 * Offset of the first character that makes `text` invalid JSON (text.length when the text
 * ends too early). Only called after JSON.parse has failed.
 */
function findJsonErrorPosition(text: string): number {
  let i = 0;
  class Stop {
    constructor(readonly at: number) {}
  }
  const fail = (at = i): never => {
    throw new Stop(at);
  };
  const skipSpace = () => {
    while (i < text.length && " \t\n\r".includes(text[i]!)) i++;
  };
  const expect = (word: string) => {
    for (const char of word) {
      if (text[i] !== char) fail();
      i++;
    }
  };
  const readString = () => {
    i++;
    for (;;) {
      if (i >= text.length) fail();
      const char = text.charCodeAt(i);
      if (char === 0x22) {
        i++;
        return;
      }
      if (char < 0x20) fail();
      if (char === 0x5c) {
        i++;
        const escaped = text[i];
        if (escaped === "u") {
          for (let k = 1; k <= 4; k++) if (!/[0-9a-fA-F]/.test(text[i + k] ?? "")) fail(i + k);
          i += 5;
        } else if (escaped !== undefined && '"\\/bfnrt'.includes(escaped)) {
          i++;
        } else {
          fail();
        }
      } else {
        i++;
      }
    }
  };
  const readDigits = () => {
    const start = i;
    while (/[0-9]/.test(text[i] ?? "")) i++;
    if (i === start) fail();
  };
  const readNumber = () => {
    if (text[i] === "-") i++;
    if (text[i] === "0") i++;
    else readDigits();
    if (text[i] === ".") {
      i++;
      readDigits();
    }
    if (text[i] === "e" || text[i] === "E") {
      i++;
      if (text[i] === "+" || text[i] === "-") i++;
      readDigits();
    }
  };
  const readValue = (): void => {
    skipSpace();
    const char = text[i];
    if (char === "{") {
      i++;
      skipSpace();
      if (text[i] === "}") {
        i++;
        return;
      }
      for (;;) {
        skipSpace();
        if (text[i] !== '"') fail();
        readString();
        skipSpace();
        expect(":");
        readValue();
        skipSpace();
        if (text[i] === ",") i++;
        else if (text[i] === "}") {
          i++;
          return;
        } else fail();
      }
    } else if (char === "[") {
      i++;
      skipSpace();
      if (text[i] === "]") {
        i++;
        return;
      }
      for (;;) {
        readValue();
        skipSpace();
        if (text[i] === ",") i++;
        else if (text[i] === "]") {
          i++;
          return;
        } else fail();
      }
    } else if (char === '"') {
      readString();
    } else if (char === "-" || (char !== undefined && char >= "0" && char <= "9")) {
      readNumber();
    } else if (char === "t") {
      expect("true");
    } else if (char === "f") {
      expect("false");
    } else if (char === "n") {
      expect("null");
    } else {
      fail();
    }
  };
  try {
    readValue();
    skipSpace();
    if (i < text.length) fail();
  } catch (stop) {
    if (stop instanceof Stop) return Math.min(stop.at, text.length);
    throw stop;
  }
  // JSON.parse failed but the scan did not; should not happen, so point at the start.
  return 0;
}
