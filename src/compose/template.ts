import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import path from "node:path";
import Handlebars from "handlebars";
import type mjml2html from "mjml";
import { AppError, errorMessage } from "../shared/errors.js";

/*
 * How a digest template becomes HTML:
 *
 * 1. Expand: read the layout and replace every <mj-include path="..."> with the included
 *    file, recursively (MJML itself would read partials raw, after Handlebars, so data could
 *    not reach them; expanding first lets partials use Handlebars, even inside {{#each}}).
 *    A marker is put at the start of every source line, naming its file and line.
 * 2. Handlebars renders the expanded text. Markers are plain text to it and survive, copied
 *    with their line into every iteration of a loop.
 * 3. The markers are stripped, remembering which source line each rendered line came from,
 *    and MJML compiles the result. Errors of steps 2 and 3 are reported against the file and
 *    line the operator edits, not against the expanded or rendered text.
 */

/** A line of a template file. */
interface SourceLocation {
  file: string;
  line: number;
}

/** Private-use delimiters plus a per-render nonce: no article text can forge a marker. */
interface MarkerSyntax {
  make: (id: number) => string;
  pattern: RegExp;
}

/** An include tag found in a template file. */
interface IncludeTag {
  start: number;
  end: number;
  attributes: Record<string, string>;
}

const hb = Handlebars.create();

/**
 * Renders an MJML template with its mj-include partials and Handlebars data to HTML.
 * Throws AppError TEMPLATE_READ, TEMPLATE_RENDER or MJML_INVALID naming the file and line.
 */
export async function renderMjmlTemplate(
  templatesDir: string,
  template: string,
  data: unknown,
): Promise<string> {
  const marker = createMarkerSyntax();
  const expander = new TemplateExpander(path.resolve(templatesDir), marker);
  const source = await expander.expand(template);
  const rendered = renderHandlebars(source, data, expander.locations, marker, template);
  const { text, lineIds } = stripMarkers(rendered, marker);
  return compileMjml(text, lineIds, expander.locations, template);
}

/** Fills a one-line Handlebars template (the subject), without HTML escaping. */
export function renderTextTemplate(template: string, data: unknown, name: string): string {
  try {
    return hb.compile(template, { noEscape: true, strict: true })(data);
  } catch (error) {
    throw new AppError("TEMPLATE_RENDER", `compose: ${name}: ${cleanHandlebarsMessage(error)}`, {
      cause: error,
    });
  }
}

function createMarkerSyntax(): MarkerSyntax {
  const nonce = randomBytes(6).toString("hex");
  return {
    make: (id) => `\uE000${nonce}:${id}\uE001`,
    pattern: new RegExp(`\uE000${nonce}:(\\d+)\uE001`, "g"),
  };
}

class TemplateExpander {
  readonly locations: SourceLocation[] = [];

  constructor(
    private readonly root: string,
    private readonly marker: MarkerSyntax,
  ) {}

  /** Reads a template file (relative to the templates folder) with its includes expanded. */
  expand(file: string): Promise<string> {
    return this.expandFile(this.resolve(file, this.root), undefined, [], "mjml");
  }

  private async expandFile(
    absolute: string,
    from: SourceLocation | undefined,
    stack: string[],
    kind: "mjml" | "raw",
  ): Promise<string> {
    const file = this.nameOf(absolute);
    let raw: string;
    try {
      raw = await readFile(absolute, "utf8");
    } catch (error) {
      const where = from ? ` (included at ${from.file}:${from.line})` : "";
      throw new AppError(
        "TEMPLATE_READ",
        `compose: cannot read template ${file}${where}: ${errorMessage(error)}`,
        { cause: error },
      );
    }
    const text = raw.replace(/\r\n?/g, "\n");
    const [start, end] = from && kind === "mjml" ? partialBody(text) : [0, text.length];
    const mustaches = findMustaches(text);
    const excluded = [...mustaches, ...findXmlComments(text)];
    const includes = kind === "mjml" ? findIncludes(text, start, end, excluded) : [];

    const inner = [...stack, absolute];
    let out = "";
    let position = start;
    let line = 1 + countNewlines(text, 0, start);
    for (const include of includes) {
      out += this.emit(file, text, position, include.start, line, mustaches);
      line += countNewlines(text, position, include.start);
      out += await this.expandInclude(include, { file, line }, absolute, inner);
      line += countNewlines(text, include.start, include.end);
      position = include.end;
    }
    out += this.emit(file, text, position, end, line, mustaches);
    return out;
  }

  private async expandInclude(
    include: IncludeTag,
    at: SourceLocation,
    includer: string,
    stack: string[],
  ): Promise<string> {
    const fail = (message: string) =>
      new AppError("TEMPLATE_RENDER", `compose: ${at.file}:${at.line}: ${message}`);
    const target = include.attributes.path;
    if (!target) throw fail("mj-include needs a path attribute");
    if (target.includes("{{")) throw fail("an mj-include path cannot use Handlebars");
    // Like MJML, a path is relative to the folder of the file that includes it.
    const absolute = this.resolve(target, path.dirname(includer), at);
    if (stack.includes(absolute)) throw fail(`mj-include of ${this.nameOf(absolute)} is circular`);

    const type = include.attributes.type ?? "mjml";
    if (type === "mjml") return this.expandFile(absolute, at, stack, "mjml");
    const content = await this.expandFile(absolute, at, stack, "raw");
    if (type === "html") return `<mj-raw>${content}</mj-raw>`;
    if (type === "css") {
      const inline = include.attributes["css-inline"] === "inline" ? ' inline="inline"' : "";
      return `<mj-style${inline}>${content}</mj-style>`;
    }
    throw fail(`unknown mj-include type "${type}" (use mjml, css or html)`);
  }

  /** Copies text[from, to) with a marker at its start and after every newline. */
  private emit(
    file: string,
    text: string,
    from: number,
    to: number,
    firstLine: number,
    mustaches: Array<[number, number]>,
  ): string {
    if (from >= to) return "";
    let out = "";
    let line = firstLine;
    let position = from;
    let markAt = from;
    while (position <= to) {
      // A marker inside a multi-line {{ ... }} would break the expression; the line is then
      // counted from the previous marker instead.
      if (markAt < to && !isInside(markAt, mustaches)) out += this.mark(file, line);
      const newline = text.indexOf("\n", position);
      if (newline === -1 || newline >= to) {
        out += text.slice(position, to);
        break;
      }
      out += text.slice(position, newline + 1);
      position = newline + 1;
      markAt = position;
      line += 1;
    }
    return out;
  }

  private mark(file: string, line: number): string {
    this.locations.push({ file, line });
    return this.marker.make(this.locations.length - 1);
  }

  private resolve(target: string, base: string, at?: SourceLocation): string {
    const absolute = path.resolve(base, target);
    const relative = path.relative(this.root, absolute);
    if (relative === "" || relative.startsWith("..") || path.isAbsolute(relative)) {
      const where = at ? ` (included at ${at.file}:${at.line})` : "";
      throw new AppError(
        "TEMPLATE_READ",
        `compose: template ${target}${where} is outside the templates folder ${this.root}`,
      );
    }
    return absolute;
  }

  private nameOf(absolute: string): string {
    return path.relative(this.root, absolute).split(path.sep).join("/");
  }
}

/** The part of an included file that is inserted: inside <mj-body> or <mjml> if it has them. */
function partialBody(text: string): [number, number] {
  for (const tag of ["mj-body", "mjml"]) {
    const open = new RegExp(`<${tag}(?:\\s[^>]*)?>`).exec(text);
    const close = text.lastIndexOf(`</${tag}>`);
    if (open && close > open.index) return [open.index + open[0].length, close];
  }
  return [0, text.length];
}

/** Ranges of Handlebars expressions and comments, `{{ ... }}` and `{{!-- ... --}}`. */
function findMustaches(text: string): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  let position = text.indexOf("{{");
  while (position !== -1) {
    if (text[position - 1] === "\\") {
      position = text.indexOf("{{", position + 2);
      continue;
    }
    const closer = text.startsWith("{{!--", position) ? "--}}" : "}}";
    const close = text.indexOf(closer, position + 2);
    const end = close === -1 ? text.length : close + closer.length;
    ranges.push([position, end]);
    position = text.indexOf("{{", end);
  }
  return ranges;
}

function findXmlComments(text: string): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  for (const match of text.matchAll(/<!--[\s\S]*?(?:-->|$)/g)) {
    ranges.push([match.index, match.index + match[0].length]);
  }
  return ranges;
}

function findIncludes(
  text: string,
  start: number,
  end: number,
  excluded: Array<[number, number]>,
): IncludeTag[] {
  const tags: IncludeTag[] = [];
  const pattern = /<mj-include\b([^>]*?)\/?>(?:\s*<\/mj-include\s*>)?/g;
  pattern.lastIndex = start;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    const tagEnd = match.index + match[0].length;
    if (tagEnd > end) break;
    if (excluded.some(([from, to]) => match.index >= from && match.index < to)) continue;
    const attributes: Record<string, string> = {};
    for (const attribute of (match[1] ?? "").matchAll(/([\w:-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
      attributes[attribute[1]!] = attribute[2] ?? attribute[3] ?? "";
    }
    tags.push({ start: match.index, end: tagEnd, attributes });
  }
  return tags;
}

function isInside(position: number, ranges: Array<[number, number]>): boolean {
  return ranges.some(([from, to]) => position > from && position < to);
}

function countNewlines(text: string, from: number, to: number): number {
  let count = 0;
  for (let index = text.indexOf("\n", from); index !== -1 && index < to; ) {
    count += 1;
    index = text.indexOf("\n", index + 1);
  }
  return count;
}

function renderHandlebars(
  source: string,
  data: unknown,
  locations: SourceLocation[],
  marker: MarkerSyntax,
  template: string,
): string {
  try {
    // strict: a misspelt field ({{titel}}) fails the edition instead of mailing a blank.
    return hb.compile(source, { strict: true })(data);
  } catch (error) {
    const at = handlebarsErrorLocation(error, source, locations, marker);
    const where = at ? `${at.file}:${at.line}` : template;
    throw new AppError(
      "TEMPLATE_RENDER",
      `compose: ${where}: ${cleanHandlebarsMessage(error, marker)}`,
      { cause: error },
    );
  }
}

/** Maps the line Handlebars reports (in the expanded text) back to a template file and line. */
function handlebarsErrorLocation(
  error: unknown,
  source: string,
  locations: SourceLocation[],
  marker: MarkerSyntax,
): SourceLocation | undefined {
  const message = errorMessage(error);
  const reported =
    typeof (error as { lineNumber?: unknown }).lineNumber === "number"
      ? (error as { lineNumber: number }).lineNumber
      : Number(/Parse error on line (\d+)/.exec(message)?.[1] ?? Number.NaN);
  if (!Number.isInteger(reported) || reported < 1) return undefined;
  let offset = 0;
  for (let line = 1; line < reported; line += 1) {
    const next = source.indexOf("\n", offset);
    if (next === -1) break;
    offset = next + 1;
  }
  const column = (error as { column?: unknown }).column;
  if (typeof column === "number") offset += column;

  let found: { position: number; id: number } | undefined;
  for (const match of source.matchAll(marker.pattern)) {
    if (match.index > offset) break;
    found = { position: match.index, id: Number(match[1]) };
  }
  const base = found ? locations[found.id] : undefined;
  if (!found || !base) return undefined;
  return { file: base.file, line: base.line + countNewlines(source, found.position, offset) };
}

function cleanHandlebarsMessage(error: unknown, marker?: MarkerSyntax): string {
  let message = errorMessage(error);
  if (marker) message = message.replace(marker.pattern, "");
  if (message.startsWith("Parse error")) {
    const lines = message.split("\n");
    return `Handlebars parse error: ${lines[lines.length - 1] ?? ""}`;
  }
  return message
    .replace(/ - \d+:\d+$/, "")
    .replace(/ not defined in \[object \w+\]$/, " is not defined");
}

/** Removes the markers; lineIds[n] is the marker of rendered line n + 1. */
function stripMarkers(rendered: string, marker: MarkerSyntax): { text: string; lineIds: number[] } {
  const lineIds: number[] = [];
  let last = -1;
  const lines = rendered.split("\n").map((line) => {
    let first: number | undefined;
    const clean = line.replace(marker.pattern, (_, id: string) => {
      first ??= Number(id);
      return "";
    });
    // A line without a marker (a summary with newlines, a multi-line expression) belongs to
    // the source line whose marker came last.
    lineIds.push(first ?? last);
    for (const match of line.matchAll(marker.pattern)) last = Number(match[1]);
    return clean;
  });
  return { text: lines.join("\n"), lineIds };
}

async function compileMjml(
  mjml: string,
  lineIds: number[],
  locations: SourceLocation[],
  template: string,
): Promise<string> {
  let result: Awaited<ReturnType<typeof mjml2html>>;
  // MJML and what it brings load in a second or more: only the commands that compose pay it.
  const { default: compile } = await import("mjml");
  try {
    result = await compile(mjml, {
      validationLevel: "soft",
      keepComments: false,
      // No web fonts: the templates use system font stacks, and MJML would otherwise link
      // Google Fonts for any family it knows.
      fonts: {},
      // Includes are expanded before Handlebars; nothing rendered from data may read files.
      ignoreIncludes: true,
    });
  } catch (error) {
    throw new AppError("MJML_INVALID", `compose: ${template}: ${errorMessage(error)}`, {
      cause: error,
    });
  }
  if (result.errors.length === 0) return result.html;

  const issues = new Set<string>();
  for (const issue of [...result.errors].sort((a, b) => a.line - b.line)) {
    const at = locations[lineIds[issue.line - 1] ?? -1];
    const where = at ? `${at.file}:${at.line}` : `${template} (rendered line ${issue.line})`;
    issues.add(`${where} <${issue.tagName}>: ${issue.message}`);
  }
  throw new AppError("MJML_INVALID", `compose: invalid MJML: ${[...issues].join("; ")}`, {
    cause: result.errors,
  });
}
