import matter from "gray-matter";
import { Marked } from "marked";
import { parse as parseYaml, YAMLParseError } from "yaml";
import type { ArticleDraft } from "../domain/index.js";
import { AppError } from "../shared/errors.js";
import { type ExtractOptions, isRecord, readDraftFields } from "./fields.js";
import { htmlToText } from "./html-text.js";

const markdown = new Marked({ gfm: true });

/**
 * gray-matter's own engines are js-yaml (YAML 1.1, which turns dates into Date objects in
 * UTC) and an `eval` of `---js` blocks. Only YAML 1.2 and JSON are accepted here, so dates
 * stay strings that are read in the source's time zone.
 */
const engines = {
  yaml: { parse: (text: string): object => parseYaml(text) ?? {} },
  json: { parse: (text: string): object => JSON.parse(text) },
  javascript: {
    parse: (): object => {
      throw new Error("JavaScript front matter is not accepted");
    },
  },
};

/**
 * Parses a Markdown article with YAML front matter (title required) into a draft.
 * @example parseMarkdown("---\ntitle: Halo\ndate: 2024-05-04\n---\nIsi.", { timezone: "Asia/Jakarta" })
 */
export function parseMarkdown(text: string, options: ExtractOptions): ArticleDraft {
  const { data, content } = readFrontMatter(text);
  const contentHtml = markdown.parse(content, { async: false }).trim();
  return readDraftFields(
    data,
    { stage: "markdown", code: "PARSE_FRONT_MATTER", timezone: options.timezone },
    options,
    { contentHtml, contentText: htmlToText(contentHtml) },
    { published: ["date", "published"], updated: ["updated"] },
  );
}

function readFrontMatter(text: string): { data: Record<string, unknown>; content: string } {
  let parsed: { data: unknown; content: string };
  try {
    parsed = matter(text.replace(/^\ufeff/, ""), { engines });
  } catch (error) {
    throw new AppError(
      "PARSE_FRONT_MATTER",
      `markdown: invalid front matter${describeYamlError(error)}`,
      {
        cause: error,
      },
    );
  }
  if (!isRecord(parsed.data)) {
    throw new AppError(
      "PARSE_FRONT_MATTER",
      "markdown: front matter must be a mapping of keys to values",
    );
  }
  return { data: parsed.data, content: parsed.content };
}

/** " at line 3: <first line of the YAML message>"; the YAML text starts on the opening `---` line, so its line numbers are the file's. */
function describeYamlError(error: unknown): string {
  if (error instanceof YAMLParseError) {
    const line = error.linePos?.[0].line;
    const reason = error.message.split("\n")[0]?.replace(/ at line \d+, column \d+:?$/, "") ?? "";
    return `${line === undefined ? "" : ` at line ${line}`}: ${reason}`;
  }
  return error instanceof Error ? `: ${error.message}` : "";
}
