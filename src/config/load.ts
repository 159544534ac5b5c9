import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseDocument } from "yaml";
import type { z } from "zod";
import { AppError } from "../shared/errors.js";
import { isPostgresUrl } from "../store/spec.js";
import {
  configSchema,
  type FileConfig,
  type MailConfig,
  type NewsletterConfig,
  type SourceConfig,
} from "./schema.js";

/** Absolute paths of the folders warta reads and writes. */
export interface ResolvedPaths {
  data: string;
  public: string;
  outbox: string;
  templates: string;
}

/** Mail settings with the secrets taken from the environment. */
export interface ResolvedMail extends MailConfig {
  /** smtp:// or smtps:// URL from WARTA_SMTP_URL; when set it wins over mail.smtp. */
  smtp_url?: string;
  /** From WARTA_SMTP_PASSWORD. */
  smtp_password?: string;
  /** The DKIM private key (PEM), from WARTA_DKIM_PRIVATE_KEY or mail.dkim.private_key_file. */
  dkim_private_key?: string;
}

/** The validated, resolved and frozen configuration handed to the composition root. */
export interface Config
  extends Omit<FileConfig, "store" | "paths" | "sources" | "mail" | "newsletter"> {
  /** The file the configuration came from, or null for the embedded defaults. */
  file: string | null;
  /** The store: a postgres:// URL, or the absolute path of the SQLite file (WARTA_STORE wins). */
  store: string;
  paths: ResolvedPaths;
  sources: SourceConfig[];
  newsletter: NewsletterConfig;
  mail: ResolvedMail;
  /**
   * Key that signs the links in emails and pages (WARTA_SECRET, at least 32 characters).
   * When unset, a random key is generated once and kept in the data folder.
   */
  secret?: string;
}

/** One problem found in a configuration: where (a dotted key path) and what. */
export interface ConfigIssue {
  path: string;
  message: string;
}

/** Where to read the configuration from: --config, then WARTA_CONFIG, then ./config/default.yaml. */
export function locateConfig(explicit: string | undefined, env: NodeJS.ProcessEnv, cwd: string) {
  const chosen = explicit ?? env.WARTA_CONFIG;
  if (chosen) return path.resolve(cwd, chosen);
  const local = path.resolve(cwd, "config", "default.yaml");
  return existsSync(local) ? local : null;
}

/**
 * Reads, validates and resolves the configuration. Throws an AppError (CONFIG_READ or
 * CONFIG_INVALID) whose message lists every problem, each with the key at fault.
 */
export function loadConfig(options: {
  file: string | null;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}): Config {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const file = options.file;
  let raw: unknown = {};
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (cause) {
      throw new AppError(
        "CONFIG_READ",
        `config: cannot read ${file}: ${(cause as Error).message}`,
        {
          cause,
        },
      );
    }
    const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
    if (doc.errors.length > 0) {
      const first = doc.errors[0];
      throw new AppError("CONFIG_INVALID", `config: ${file}: not valid YAML: ${first?.message}`, {
        cause: first,
      });
    }
    raw = doc.toJS() ?? {};
  }
  const baseDir = file ? path.dirname(file) : path.join(cwd, "config");
  return resolveConfig(raw, { baseDir, env, label: file ?? "embedded defaults" });
}

/** Validates an already-parsed configuration object and resolves its paths and secrets. */
export function resolveConfig(
  raw: unknown,
  options: { baseDir: string; env?: NodeJS.ProcessEnv; label?: string },
): Config {
  const env = options.env ?? process.env;
  const parsed = configSchema.safeParse(raw, { reportInput: true });
  const issues: ConfigIssue[] = parsed.success ? [] : parsed.error.issues.flatMap(describeIssue);
  const smtpUrl = env.WARTA_SMTP_URL?.trim();
  if (smtpUrl && !/^smtps?:\/\/[^/\s]+/i.test(smtpUrl)) {
    issues.push({ path: "WARTA_SMTP_URL", message: "must be an smtp:// or smtps:// URL" });
  }
  const logLevel = env.WARTA_LOG_LEVEL?.trim();
  if (
    logLevel &&
    !["fatal", "error", "warn", "info", "debug", "trace", "silent"].includes(logLevel)
  ) {
    issues.push({ path: "WARTA_LOG_LEVEL", message: `unknown level "${logLevel}"` });
  }
  const secret = env.WARTA_SECRET;
  if (secret !== undefined && secret.length < 32) {
    issues.push({ path: "WARTA_SECRET", message: "must be at least 32 characters long" });
  }
  const storeEnv = env.WARTA_STORE?.trim();
  if (storeEnv && /^[a-z][a-z0-9+.-]*:\/\//i.test(storeEnv) && !isPostgresUrl(storeEnv)) {
    issues.push({
      path: "WARTA_STORE",
      message: "must be a postgres:// URL or the path of an SQLite file",
    });
  }
  if (parsed.success) issues.push(...checkSources(parsed.data.sources));
  if (!parsed.success || issues.length > 0) {
    const label = options.label ?? "configuration";
    const lines = issues.map((issue) => `  ${issue.path}: ${issue.message}`);
    const error = new AppError(
      "CONFIG_INVALID",
      `config: ${label} is invalid:\n${lines.join("\n")}`,
      parsed.success ? {} : { cause: parsed.error },
    );
    (error as AppError & { issues: ConfigIssue[] }).issues = issues;
    throw error;
  }
  const data = parsed.data;
  const at = (p: string) => path.resolve(options.baseDir, p);
  const mail: ResolvedMail = {
    ...data.mail,
    smtp: { ...data.mail.smtp },
    bounces: data.mail.bounces.maildir ? { maildir: at(data.mail.bounces.maildir) } : {},
  };
  if (smtpUrl) {
    mail.transport = "smtp";
    mail.smtp_url = smtpUrl;
  }
  if (env.WARTA_SMTP_USER) mail.smtp.user = env.WARTA_SMTP_USER;
  if (env.WARTA_SMTP_PASSWORD) mail.smtp_password = env.WARTA_SMTP_PASSWORD;
  if (data.mail.dkim) {
    mail.dkim = { ...data.mail.dkim };
    const key = env.WARTA_DKIM_PRIVATE_KEY ?? readDkimKey(data.mail.dkim.private_key_file, at);
    if (!key.includes("PRIVATE KEY")) {
      throw new AppError(
        "CONFIG_INVALID",
        `config: ${options.label ?? "configuration"} is invalid:\n  mail.dkim: no PEM private key (set mail.dkim.private_key_file or WARTA_DKIM_PRIVATE_KEY)`,
      );
    }
    mail.dkim_private_key = key;
  }
  const config: Config = {
    ...data,
    file: options.label && options.label !== "embedded defaults" ? options.label : null,
    store: resolveStore(storeEnv || data.store, at(data.paths.data), at),
    log: { level: (logLevel as Config["log"]["level"] | undefined) ?? data.log.level },
    paths: {
      data: at(data.paths.data),
      public: at(data.paths.public),
      outbox: at(data.paths.outbox),
      templates: at(data.paths.templates),
    },
    sources: data.sources.map((source) =>
      source.type === "directory" ? { ...source, path: at(source.path) } : source,
    ),
    newsletter: {
      ...data.newsletter,
      ...(data.newsletter.subscribers_file
        ? { subscribers_file: at(data.newsletter.subscribers_file) }
        : {}),
    },
    mail,
    ...(secret ? { secret } : {}),
  };
  return deepFreeze(config);
}

/** A PostgreSQL URL as it is; a file path made absolute; by default warta.sqlite in the data folder. */
function resolveStore(
  store: string | undefined,
  dataDir: string,
  at: (p: string) => string,
): string {
  if (!store) return path.join(dataDir, "warta.sqlite");
  return isPostgresUrl(store) || store === ":memory:" ? store : at(store);
}

/** Reads the DKIM key file named by the configuration; "" when none is named. */
function readDkimKey(file: string | undefined, at: (p: string) => string): string {
  if (!file) return "";
  try {
    return readFileSync(at(file), "utf8");
  } catch (cause) {
    throw new AppError(
      "CONFIG_READ",
      `config: mail.dkim.private_key_file: cannot read ${at(file)}`,
      {
        cause,
      },
    );
  }
}

function checkSources(sources: SourceConfig[]): ConfigIssue[] {
  const seen = new Set<string>();
  const issues: ConfigIssue[] = [];
  sources.forEach((source, index) => {
    if (seen.has(source.id)) {
      issues.push({ path: `sources.${index}.id`, message: `duplicate source id "${source.id}"` });
    }
    seen.add(source.id);
  });
  return issues;
}

function describeIssue(issue: z.core.$ZodIssue): ConfigIssue[] {
  const at = issue.path.map(String).join(".");
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => ({ path: at ? `${at}.${key}` : key, message: "unknown key" }));
  }
  if (issue.code === "invalid_type") {
    const got = "input" in issue ? describeValue(issue.input) : "something else";
    return [{ path: at || "(top level)", message: `expected ${issue.expected}, got ${got}` }];
  }
  if (issue.code === "invalid_union" || issue.code === "invalid_value") {
    return [{ path: at || "(top level)", message: issue.message }];
  }
  const got =
    "input" in issue && issue.input !== undefined ? ` (got ${JSON.stringify(issue.input)})` : "";
  return [{ path: at || "(top level)", message: `${issue.message}${got}` }];
}

function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return `${typeof value} ${JSON.stringify(value)}`;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
