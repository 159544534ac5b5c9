import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { FeedsConfig, SiteConfig } from "../../src/config/schema.js";
import type { ArticleInput } from "../../src/domain/index.js";
import { publishFeeds } from "../../src/pipeline/publish.js";
import { silentLogger } from "../../src/shared/logger.js";
import {
  AtomicFileWriter,
  type Db,
  openDatabase,
  SqlArticleRepository,
  SqlEditionRepository,
} from "../../src/store/index.js";
import { newStoreSpec } from "./store.js";

/** A store (of the run's engine) and a public folder in a temporary folder, with a publish bound to them. */
export interface PublishStore {
  root: string;
  publicDir: string;
  db: Db;
  articles: SqlArticleRepository;
  editions: SqlEditionRepository;
  publish: (overrides?: {
    feeds?: Partial<FeedsConfig>;
    site?: Partial<SiteConfig>;
    force?: boolean;
  }) => ReturnType<typeof publishFeeds>;
  close: () => Promise<void>;
}

/**
 * Opens a fresh store (a real SQLite file, or a schema of its own in the postgres run; migrations
 * applied) and an empty public folder.
 */
export async function openPublishStore(
  site: SiteConfig,
  feeds: FeedsConfig,
): Promise<PublishStore> {
  const root = mkdtempSync(path.join(tmpdir(), "warta-publish-"));
  const publicDir = path.join(root, "public");
  const db = await openDatabase(newStoreSpec(path.join(root, "data")));
  const articles = new SqlArticleRepository(db);
  const editions = new SqlEditionRepository(db);
  return {
    root,
    publicDir,
    db,
    articles,
    editions,
    publish: (overrides = {}) =>
      publishFeeds({
        site: { ...site, ...overrides.site },
        feeds: { ...feeds, ...overrides.feeds },
        articles,
        editions,
        files: new AtomicFileWriter(publicDir),
        logger: silentLogger(),
        force: overrides.force ?? false,
      }),
    close: async () => {
      await db.destroy();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** A new article for the store, with fields derived from its id unless given. */
export function articleInput(
  id: string,
  published: string,
  fields: Partial<ArticleInput> = {},
): ArticleInput {
  const input: ArticleInput = {
    id,
    sourceId: "redaksi",
    sourceKey: `${id}.md`,
    url: `https://news.example.org/artikel/${id}/`,
    title: `Judul ${id}`,
    summary: `Ringkasan ${id}.`,
    contentHtml: `<p>Isi ${id}.</p>`,
    contentText: `Isi ${id}.`,
    categories: [],
    tags: [],
    language: "id",
    published: new Date(published),
    updated: new Date(published),
    contentHash: `hash-${id}`,
    ...fields,
  };
  return input;
}

/** What a poller's validators derive from: bytes, size, modification time, and the inode. */
export interface FileState {
  sha256: string;
  size: number;
  mtimeMs: number;
  ino: number;
}

/** Every file under a folder, by path relative to it. */
export function snapshotFiles(dir: string): Map<string, FileState> {
  const files = new Map<string, FileState>();
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    // Dot-files (the publish manifest) are the publisher's own notes, never served.
    if (!entry.isFile() || entry.name.startsWith(".")) continue;
    const full = path.join(entry.parentPath, entry.name);
    const stat = statSync(full);
    files.set(path.relative(dir, full).split(path.sep).join("/"), {
      sha256: createHash("sha256").update(readFileSync(full)).digest("hex"),
      size: stat.size,
      mtimeMs: stat.mtimeMs,
      ino: stat.ino,
    });
  }
  return files;
}

/**
 * Sets every file's modification time to one long past, so that any later rewrite shows in
 * its mtime however fast the test runs.
 */
export function ageFiles(dir: string, when = new Date("2001-01-01T00:00:00Z")): void {
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) utimesSync(path.join(entry.parentPath, entry.name), when, when);
  }
}

/** The paths whose state differs between two snapshots (added, removed or changed). */
export function changedFiles(
  before: Map<string, FileState>,
  after: Map<string, FileState>,
): string[] {
  const paths = new Set([...before.keys(), ...after.keys()]);
  return [...paths]
    .filter((p) => JSON.stringify(before.get(p)) !== JSON.stringify(after.get(p)))
    .sort();
}
