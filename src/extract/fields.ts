import type { ArticleDraft, ArticleImage } from "../domain/index.js";
import { parseNewsDate } from "../shared/dates.js";
import { AppError, type ErrorCode } from "../shared/errors.js";

/** What every parser needs to know about the source a document came from. */
export interface ExtractOptions {
  /** IANA zone that dates without an offset are read in (Asia/Jakarta). */
  timezone: string;
  /** Language to assume when the document does not name one. */
  language?: string;
}

/** Where a field value comes from, for error messages: "markdown" or "json". */
interface FieldContext {
  stage: string;
  /** Code for a field of the wrong type or shape. */
  code: ErrorCode;
  timezone: string;
}

type Fields = Readonly<Record<string, unknown>>;

/** Tells whether a value is a plain object (not an array, not null). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Reads the metadata fields shared by front matter and JSON articles into a draft.
 * The caller supplies the body; `aliases` lists the accepted names of each field.
 */
export function readDraftFields(
  data: Fields,
  context: FieldContext,
  options: ExtractOptions,
  body: { contentHtml: string; contentText: string },
  aliases: { published: string[]; updated: string[] },
): ArticleDraft {
  const title = readString(data, ["title"], context);
  if (title === undefined) {
    throw new AppError("PARSE_MISSING_FIELD", `${context.stage}: missing "title"`);
  }
  const categories = unique([
    ...readStringList(data, ["categories"], context),
    // A single `category` is one name, even when it contains a comma.
    ...optionalList(readString(data, ["category"], context)),
  ]);
  return {
    id: readString(data, ["id"], context),
    title,
    url: readUrl(data, ["url"], context),
    slug: readString(data, ["slug"], context),
    published: readDate(data, aliases.published, context),
    updated: readDate(data, aliases.updated, context),
    author: readAuthor(data, context),
    categories,
    tags: unique(readStringList(data, ["tags"], context)),
    language: readString(data, ["language", "lang"], context) ?? options.language,
    summary: readString(data, ["summary", "description"], context),
    contentHtml: body.contentHtml,
    contentText: body.contentText,
    image: readImage(data, ["image"], context),
    dateline: readString(data, ["dateline"], context),
    credit: readString(data, ["credit"], context),
  };
}

/** The first of `keys` that is present (not undefined or null), with its value. */
function pick(data: Fields, keys: string[]): { key: string; value: unknown } | undefined {
  for (const key of keys) {
    const value = data[key];
    if (value !== undefined && value !== null) return { key, value };
  }
  return undefined;
}

function readString(data: Fields, keys: string[], context: FieldContext): string | undefined {
  const found = pick(data, keys);
  if (!found) return undefined;
  return toText(found.value, found.key, context);
}

function toText(value: unknown, key: string, context: FieldContext): string | undefined {
  // YAML reads `title: 1984` as a number; it is still a title.
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value !== "string") {
    throw new AppError(
      context.code,
      `${context.stage}: "${key}" must be text, not ${describe(value)}`,
    );
  }
  const text = value.replace(/\s+/g, " ").trim();
  return text === "" ? undefined : text;
}

/** A list of names, written as a list or as one comma-separated string. */
function readStringList(data: Fields, keys: string[], context: FieldContext): string[] {
  const found = pick(data, keys);
  if (!found) return [];
  if (typeof found.value === "string") {
    return found.value
      .split(",")
      .map((part) => part.trim())
      .filter((part) => part !== "");
  }
  if (!Array.isArray(found.value)) {
    throw new AppError(
      context.code,
      `${context.stage}: "${found.key}" must be a list or a comma-separated string, not ${describe(found.value)}`,
    );
  }
  return found.value.flatMap((item, index) =>
    optionalList(toText(item, `${found.key}[${index}]`, context)),
  );
}

function readDate(data: Fields, keys: string[], context: FieldContext): Date | undefined {
  const found = pick(data, keys);
  if (!found) return undefined;
  const { key, value } = found;
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value;
  if (typeof value === "string") {
    const date = parseNewsDate(value, context.timezone);
    if (date) return date;
    throw new AppError(
      "PARSE_DATE",
      `${context.stage}: cannot read "${key}" value "${value}" as a date`,
    );
  }
  throw new AppError(
    "PARSE_DATE",
    `${context.stage}: cannot read "${key}" value ${JSON.stringify(value) ?? String(value)} as a date`,
  );
}

function readUrl(data: Fields, keys: string[], context: FieldContext): string | undefined {
  const found = pick(data, keys);
  if (!found) return undefined;
  const text = toText(found.value, found.key, context);
  if (text === undefined) return undefined;
  if (!isAbsoluteHttpUrl(text)) {
    throw new AppError(
      context.code,
      `${context.stage}: "${found.key}" is not an absolute http(s) URL: "${text}"`,
    );
  }
  return text;
}

/** `author: Name`, `author: { name }`, or JSON Feed's `authors: [{ name }]`, names joined with ", ". */
function readAuthor(data: Fields, context: FieldContext): string | undefined {
  const found = pick(data, ["author", "authors"]);
  if (!found) return undefined;
  const items = Array.isArray(found.value) ? found.value : [found.value];
  const names = items.flatMap((item, index) => {
    const key = Array.isArray(found.value) ? `${found.key}[${index}]` : found.key;
    if (isRecord(item))
      return optionalList(
        readString(item, ["name"], { ...context, stage: `${context.stage}: "${key}"` }),
      );
    return optionalList(toText(item, key, context));
  });
  return names.length > 0 ? names.join(", ") : undefined;
}

/** `image: https://...` or `image: { url, alt, width, height }` (`src` accepted for `url`). */
function readImage(data: Fields, keys: string[], context: FieldContext): ArticleImage | undefined {
  const found = pick(data, keys);
  if (!found) return undefined;
  const { key, value } = found;
  if (typeof value === "string") {
    const url = value.trim();
    if (url === "") return undefined;
    if (!isAbsoluteHttpUrl(url)) {
      throw new AppError(
        context.code,
        `${context.stage}: "${key}" is not an absolute http(s) URL: "${url}"`,
      );
    }
    return { url };
  }
  if (!isRecord(value)) {
    throw new AppError(
      context.code,
      `${context.stage}: "${key}" must be a URL or an object with "url", not ${describe(value)}`,
    );
  }
  const inner = { ...context, stage: `${context.stage}: "${key}"` };
  const url = readUrl(value, ["url", "src"], inner);
  if (url === undefined) {
    throw new AppError(context.code, `${context.stage}: "${key}" has no "url"`);
  }
  const image: ArticleImage = { url };
  const alt = readString(value, ["alt"], inner);
  if (alt !== undefined) image.alt = alt;
  const type = readString(value, ["type", "mime_type"], inner);
  if (type !== undefined) image.type = type;
  for (const dimension of ["width", "height"] as const) {
    const size = value[dimension];
    if (size === undefined || size === null) continue;
    const number = typeof size === "string" && /^\d+$/.test(size.trim()) ? Number(size) : size;
    if (typeof number !== "number" || !Number.isInteger(number) || number <= 0) {
      throw new AppError(
        context.code,
        `${inner.stage}: "${dimension}" must be a positive whole number`,
      );
    }
    image[dimension] = number;
  }
  return image;
}

function isAbsoluteHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

function optionalList<T>(value: T | undefined): T[] {
  return value === undefined ? [] : [value];
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (value === null) return "null";
  if (typeof value === "object") return "an object";
  return `a ${typeof value}`;
}
