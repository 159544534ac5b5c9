import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import type { DocumentFormat, RawDocument, SourceFailure } from "../domain/source.js";
import { AppError } from "../shared/errors.js";

const formats: Record<string, DocumentFormat> = {
  ".md": "markdown",
  ".markdown": "markdown",
  ".json": "json",
  ".txt": "capture",
  ".html": "html",
  ".htm": "html",
};

/** What a source read: the documents, and the files it could not read. */
export interface SourceReadResult {
  documents: RawDocument[];
  failures: SourceFailure[];
}

/** The article format of a file name, by its extension; undefined for files that are not articles. */
export function formatOfFile(fileName: string): DocumentFormat | undefined {
  return formats[path.extname(fileName).toLowerCase()];
}

/**
 * Reads every article file below `folder` (recursively; hidden files and README files are
 * skipped). The key of each document is its path relative to the folder, with "/" separators.
 */
export async function readDirectorySource(source: {
  id: string;
  path: string;
}): Promise<SourceReadResult> {
  const documents: RawDocument[] = [];
  const failures: SourceFailure[] = [];
  let files: string[];
  try {
    files = await listFiles(source.path);
  } catch (cause) {
    failures.push({
      sourceId: source.id,
      location: source.path,
      error: new AppError(
        "SOURCE_READ",
        `source ${source.id}: cannot read folder ${source.path}: ${(cause as Error).message}`,
        { cause },
      ),
    });
    return { documents, failures };
  }
  for (const file of files.sort()) {
    const format = formatOfFile(file);
    const name = path.basename(file);
    if (!format || /^readme\./i.test(name)) continue;
    try {
      const [content, info] = await Promise.all([readFile(file, "utf8"), stat(file)]);
      documents.push({
        sourceId: source.id,
        key: path.relative(source.path, file).split(path.sep).join("/"),
        location: file,
        format,
        content,
        modified: info.mtime,
      });
    } catch (cause) {
      failures.push({
        sourceId: source.id,
        location: file,
        error: new AppError("SOURCE_READ", `source ${source.id}: cannot read ${file}`, { cause }),
      });
    }
  }
  return { documents, failures };
}

async function listFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith(".")) continue;
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(full)));
    else if (entry.isFile()) files.push(full);
  }
  return files;
}
