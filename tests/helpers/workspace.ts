import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { stringify } from "yaml";
import { type Db, openDatabase } from "../../src/store/index.js";
import { newPostgresStore, testEngine } from "./store.js";

export const repoRoot = path.resolve(import.meta.dirname, "..", "..");

/** A temporary folder laid out like an installation: config/, templates/, articles/. */
export interface Workspace {
  root: string;
  configFile: string;
  articles: string;
  /**
   * The workspace's store: data/warta.sqlite in the sqlite run; a schema of its own in the
   * postgres run, which writeConfig puts in the configuration unless it names a store.
   */
  store: string;
  /** Opens the workspace's store (migrating it if no command has yet). */
  openStore: () => Promise<Db>;
  writeConfig: (config: Record<string, unknown>) => string;
  writeArticle: (relative: string, content: string) => string;
  remove: () => void;
}

/**
 * Creates a workspace with a copy of the bundled templates and an empty articles folder.
 * `withSamples` copies the bundled sample articles and subscribers too.
 */
export function createWorkspace(options: { withSamples?: boolean } = {}): Workspace {
  const root = mkdtempSync(path.join(tmpdir(), "warta-test-"));
  const articles = path.join(root, "articles");
  mkdirSync(articles, { recursive: true });
  mkdirSync(path.join(root, "config"), { recursive: true });
  cpSync(path.join(repoRoot, "templates"), path.join(root, "templates"), { recursive: true });
  if (options.withSamples) {
    cpSync(path.join(repoRoot, "samples", "articles"), articles, { recursive: true });
    cpSync(path.join(repoRoot, "samples", "subscribers.csv"), path.join(root, "subscribers.csv"));
  }
  const configFile = path.join(root, "config", "warta.yaml");
  const store =
    testEngine === "postgres"
      ? newPostgresStore(path.basename(root))
      : path.join(root, "data", "warta.sqlite");
  return {
    root,
    configFile,
    articles,
    store,
    openStore: () => openDatabase(store),
    writeConfig(config) {
      const withStore =
        testEngine === "postgres" && config.store === undefined ? { store, ...config } : config;
      writeFileSync(configFile, stringify(withStore));
      return configFile;
    },
    writeArticle(relative, content) {
      const file = path.join(articles, relative);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, content);
      return file;
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** A configuration for a workspace: its articles folder as the one source, outputs inside it. */
export function workspaceConfig(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    site: {
      title: "Warta Uji",
      base_url: "https://news.example.org/",
      language: "id",
      timezone: "Asia/Jakarta",
    },
    sources: [{ id: "local", type: "directory", path: "../articles" }],
    paths: { data: "../data", public: "../public", outbox: "../outbox", templates: "../templates" },
    ...overrides,
  };
}
