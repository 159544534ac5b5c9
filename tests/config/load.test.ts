import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  type ConfigIssue,
  loadConfig,
  locateConfig,
  resolveConfig,
} from "../../src/config/index.js";
import { AppError } from "../../src/shared/errors.js";

function issuesOf(raw: unknown, env: NodeJS.ProcessEnv = {}): ConfigIssue[] {
  try {
    resolveConfig(raw, { baseDir: "/srv/warta/config", env });
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("CONFIG_INVALID");
    return (error as AppError & { issues: ConfigIssue[] }).issues;
  }
  throw new Error("expected the configuration to be rejected");
}

describe("configuration", () => {
  it("fills every key from the embedded defaults when the file is empty", () => {
    const config = resolveConfig({}, { baseDir: "/srv/warta/config", env: {} });
    expect(config.site.language).toBe("id");
    expect(config.site.timezone).toBe("Asia/Jakarta");
    expect(config.schedule).toEqual({
      collect: "*/15 * * * *",
      publish: "*/15 * * * *",
      digest: "0 * * * *",
      send: "* * * * *",
      failover_seconds: 30,
    });
    expect(config.mail.transport).toBe("outbox");
  });

  it("resolves relative paths against the configuration file's folder", () => {
    const config = resolveConfig(
      {
        paths: { data: "../var/data", public: "/abs/public" },
        sources: [{ id: "a", type: "directory", path: "articles" }],
      },
      { baseDir: "/srv/warta/config", env: {} },
    );
    expect(config.paths.data).toBe("/srv/warta/var/data");
    expect(config.paths.public).toBe("/abs/public");
    expect(config.paths.outbox).toBe("/srv/warta/outbox");
    expect(config.sources[0]).toMatchObject({ path: "/srv/warta/config/articles" });
  });

  it("names an unknown key", () => {
    expect(issuesOf({ site: { titel: "Warta" } })).toEqual([
      { path: "site.titel", message: "unknown key" },
    ]);
    expect(issuesOf({ feed: {} })).toEqual([{ path: "feed", message: "unknown key" }]);
  });

  it("names a key of the wrong type", () => {
    const [issue] = issuesOf({ feeds: { items: "many" } });
    expect(issue?.path).toBe("feeds.items");
    expect(issue?.message).toContain("expected number");
    expect(issue?.message).toContain('"many"');
  });

  it("names a bad cron expression", () => {
    const [issue] = issuesOf({ schedule: { digest: "0 25 * * *" } });
    expect(issue?.path).toBe("schedule.digest");
    expect(issue?.message).toContain("cron");
  });

  it("names an unknown time zone", () => {
    const [issue] = issuesOf({ site: { timezone: "Asia/Jambi" } });
    expect(issue?.path).toBe("site.timezone");
    expect(issue?.message).toContain("Asia/Jambi");
  });

  it("lists every problem at once", () => {
    const issues = issuesOf({ site: { timezone: "Nowhere/City" }, feeds: { items: 0 }, extra: 1 });
    expect(issues.map((i) => i.path).sort()).toEqual(["extra", "feeds.items", "site.timezone"]);
  });

  it("rejects two sources with one id", () => {
    const issues = issuesOf({
      sources: [
        { id: "a", type: "directory", path: "x" },
        { id: "a", type: "directory", path: "y" },
      ],
    });
    expect(issues).toEqual([{ path: "sources.1.id", message: 'duplicate source id "a"' }]);
  });

  it("switches to SMTP when WARTA_SMTP_URL is set, with the password from the environment", () => {
    const config = resolveConfig(
      {},
      {
        baseDir: "/srv",
        env: { WARTA_SMTP_URL: "smtp://mail.example.org:2525", WARTA_SMTP_PASSWORD: "rahasia" },
      },
    );
    expect(config.mail.transport).toBe("smtp");
    expect(config.mail.smtp_url).toBe("smtp://mail.example.org:2525");
    expect(config.mail.smtp_password).toBe("rahasia");
  });

  it("rejects a WARTA_SMTP_URL that is not an SMTP URL", () => {
    expect(issuesOf({}, { WARTA_SMTP_URL: "http://example.org" })).toEqual([
      { path: "WARTA_SMTP_URL", message: "must be an smtp:// or smtps:// URL" },
    ]);
  });

  it("reads the DKIM key from the environment or from the file it names, and names a missing one", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "warta-dkim-"));
    const pem = "-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n";
    writeFileSync(path.join(dir, "dkim.pem"), pem);
    const dkim = { domain: "news.example.org", selector: "warta", private_key_file: "dkim.pem" };
    const fromFile = resolveConfig({ mail: { dkim } }, { baseDir: dir, env: {} });
    expect(fromFile.mail.dkim_private_key).toBe(pem);
    const fromEnv = resolveConfig(
      { mail: { dkim } },
      { baseDir: dir, env: { WARTA_DKIM_PRIVATE_KEY: pem.replace("MIIB", "MIIC") } },
    );
    expect(fromEnv.mail.dkim_private_key).toContain("MIIC");
    try {
      resolveConfig(
        { mail: { dkim: { ...dkim, private_key_file: "missing.pem" } } },
        { baseDir: dir, env: {} },
      );
      throw new Error("expected a missing key file to be refused");
    } catch (error) {
      expect((error as AppError).code).toBe("CONFIG_READ");
      expect((error as AppError).message).toContain(path.join(dir, "missing.pem"));
    }
    try {
      resolveConfig(
        { mail: { dkim: { domain: "news.example.org", selector: "warta" } } },
        { baseDir: dir, env: {} },
      );
      throw new Error("expected DKIM without a key to be refused");
    } catch (error) {
      expect((error as AppError).code).toBe("CONFIG_INVALID");
      expect((error as AppError).message).toContain("mail.dkim");
    }
  });

  it("takes the store from the file or WARTA_STORE: an SQLite path or a postgres:// URL", () => {
    const byDefault = resolveConfig({}, { baseDir: "/srv/warta/config", env: {} });
    expect(byDefault.store).toBe("/srv/warta/data/warta.sqlite");
    const file = resolveConfig(
      { store: "../var/warta.db" },
      { baseDir: "/srv/warta/config", env: {} },
    );
    expect(file.store).toBe("/srv/warta/var/warta.db");
    const url = "postgres://warta:geheim@db.example.org:5432/warta?schema=news";
    expect(resolveConfig({ store: url }, { baseDir: "/srv", env: {} }).store).toBe(url);
    const fromEnv = resolveConfig(
      { store: "../var/warta.db" },
      { baseDir: "/srv/warta/config", env: { WARTA_STORE: "postgresql://db.example.org/warta" } },
    );
    expect(fromEnv.store).toBe("postgresql://db.example.org/warta");
  });

  it("refuses a store URL of a database warta cannot use, naming the key", () => {
    const [issue, ...others] = issuesOf({ store: "mysql://x" });
    expect(others).toEqual([]);
    expect(issue?.path).toBe("store");
    expect(issue?.message).toContain("postgres://");
    const [fromEnv] = issuesOf({}, { WARTA_STORE: "mysql://x" });
    expect(fromEnv?.path).toBe("WARTA_STORE");
    expect(fromEnv?.message).toContain("postgres://");
    expect(issuesOf({ store: "" }).map((i) => i.path)).toEqual(["store"]);
  });

  it("is frozen", () => {
    const config = resolveConfig({}, { baseDir: "/srv", env: {} });
    expect(Object.isFrozen(config.site)).toBe(true);
  });

  it("reports YAML syntax errors with the file name", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "warta-config-"));
    const file = path.join(dir, "bad.yaml");
    writeFileSync(file, "site:\n  title: [unclosed\n");
    expect(() => loadConfig({ file, env: {} })).toThrowError(file);
  });

  it("finds the file from --config, then WARTA_CONFIG, then config/default.yaml", () => {
    expect(locateConfig("a.yaml", { WARTA_CONFIG: "b.yaml" }, "/w")).toBe("/w/a.yaml");
    expect(locateConfig(undefined, { WARTA_CONFIG: "b.yaml" }, "/w")).toBe("/w/b.yaml");
    expect(locateConfig(undefined, {}, "/nonexistent-folder")).toBeNull();
  });
});
