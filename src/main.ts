import { readFileSync } from "node:fs";
import path from "node:path";
import { CommanderError } from "commander";
import {
  buildProgram,
  type CliOutput,
  type ContextOpener,
  type SettingsLoader,
} from "./cli/index.js";
import { type Config, loadConfig, locateConfig } from "./config/index.js";
import {
  createHubNotifier,
  type MailerSigning,
  OutboxMailer,
  type SmtpSettings,
  ThreadedSmtpMailer,
} from "./deliver/index.js";
import type { Mailer } from "./domain/ports.js";
import { WartaMetrics } from "./metrics/index.js";
import type { PipelineContext } from "./pipeline/index.js";
import { errorMessage, isAppError } from "./shared/errors.js";
import { createLogger } from "./shared/logger.js";
import { createFetcher } from "./sources/index.js";
import {
  AtomicFileWriter,
  openDatabase,
  SqlArticleRepository,
  SqlEditionRepository,
  SqlFileVersions,
  SqlJobStateRepository,
  SqlRateLimits,
  SqlSourceStateRepository,
  SqlSubscriberRepository,
} from "./store/index.js";
import { SqlStatusStore } from "./store/status.js";
import { resolveSecret } from "./subscriptions/secret.js";
import { TokenSigner } from "./subscriptions/tokens.js";

const packageRoot = path.resolve(import.meta.dirname, "..");
const version = (
  JSON.parse(readFileSync(path.join(packageRoot, "package.json"), "utf8")) as { version: string }
).version;

/** The mail transport the configuration asks for. */
export function createMailer(config: Config): Mailer {
  const { mail } = config;
  const signing: MailerSigning = {};
  if (mail.return_path) signing.envelopeFrom = mail.return_path;
  if (mail.dkim && mail.dkim_private_key) {
    signing.dkim = {
      domain: mail.dkim.domain,
      selector: mail.dkim.selector,
      privateKey: mail.dkim_private_key,
    };
  }
  if (mail.transport === "outbox") return new OutboxMailer(config.paths.outbox, signing);
  // WARTA_SMTP_URL replaces mail.smtp, the first server; mail.failover servers follow it. The
  // one password (WARTA_SMTP_PASSWORD) goes to every server that names a user.
  const servers = [mail.smtp, ...mail.failover].map((smtp, index): SmtpSettings => {
    const settings: SmtpSettings = {
      host: smtp.host,
      port: smtp.port,
      secure: smtp.secure,
      tlsRejectUnauthorized: smtp.tls_reject_unauthorized,
    };
    if (index === 0 && mail.smtp_url) settings.url = mail.smtp_url;
    if (smtp.user) settings.user = smtp.user;
    if (mail.smtp_password) settings.password = mail.smtp_password;
    return settings;
  });
  return new ThreadedSmtpMailer(servers, signing, {
    maxConnections: mail.pool.max_connections,
    maxMessages: mail.pool.max_messages,
    ratePerSecond: mail.pool.rate_per_second,
    connectionTimeoutMs: mail.pool.connect_timeout * 1000,
    greetingTimeoutMs: mail.pool.connect_timeout * 1000,
    socketTimeoutMs: mail.pool.idle_timeout * 1000,
    cooldownMs: mail.pool.failover_cooldown * 1000,
  });
}

/** The fetcher the configuration asks for, introducing itself as this version of warta. */
export function createConfiguredFetcher(config: Config) {
  return createFetcher({
    timeoutMs: config.fetch.timeout * 1000,
    maxBytes: config.fetch.max_bytes,
    maxRedirects: config.fetch.max_redirects,
    perHost: config.fetch.per_host,
    userAgent: config.fetch.user_agent ?? `warta/${version} (+${config.site.base_url})`,
  });
}

/** Builds every concrete part from a configuration: logger, store, writers, transport. */
export async function openContext(
  config: Config,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{
  ctx: PipelineContext;
  close: () => Promise<void>;
}> {
  const logger = createLogger(config.log.level);
  const db = await openDatabase(config.store);
  const tokens = new TokenSigner(await resolveSecret(config.secret, config.paths.data));
  let mailer: Mailer | undefined;
  const jobs = new SqlJobStateRepository(db);
  const statusStore = new SqlStatusStore(db);
  const access: NonNullable<PipelineContext["access"]> = {};
  if (env.WARTA_BOUNCE_TOKEN) access.bounceToken = env.WARTA_BOUNCE_TOKEN;
  if (env.WARTA_METRICS_TOKEN) access.metricsToken = env.WARTA_METRICS_TOKEN;
  const ctx: PipelineContext = {
    config,
    logger,
    articles: new SqlArticleRepository(db),
    subscribers: new SqlSubscriberRepository(db, {
      language: config.site.language,
      timezone: config.site.timezone,
      frequency: config.newsletter.default_frequency,
    }),
    editions: new SqlEditionRepository(db),
    sourceStates: new SqlSourceStateRepository(db),
    jobs,
    fetcher: createConfiguredFetcher(config),
    publicFiles: new AtomicFileWriter(config.paths.public),
    mailer: () => {
      mailer ??= createMailer(config);
      return mailer;
    },
    now: () => new Date(),
    tokens,
    statusStore,
    // Store-derived gauges read the store at each scrape, so every process reports the same.
    metrics: new WartaMetrics({
      deliveryCounts: () => statusStore.deliveryCounts(),
      jobStates: () => jobs.all(),
    }),
    access,
    // Several `warta serve` on one store share the subscribe limits and agree on validators.
    rateLimits: new SqlRateLimits(db),
    fileVersions: new SqlFileVersions(db),
  };
  const hubUrl = config.feeds.websub_hub;
  if (hubUrl) {
    const notifier = createHubNotifier({
      hub: hubUrl,
      userAgent: config.fetch.user_agent ?? `warta/${version} (+${config.site.base_url})`,
      timeoutMs: config.fetch.timeout * 1000,
    });
    ctx.hub = () => notifier;
  }
  return {
    ctx,
    close: async () => {
      await mailer?.close();
      await db.destroy();
      logger.flush();
    },
  };
}

function waitForSignal(): Promise<string> {
  return new Promise((resolve) => {
    const onSignal = (signal: string) => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      resolve(signal);
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}

/**
 * Runs the command line and returns the exit code: 0 on success, 1 on failure, 2 on wrong
 * usage.
 */
export async function main(
  argv: string[],
  options: { io?: Partial<CliOutput>; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<number> {
  let exitCode = 0;
  const io: CliOutput = {
    out: options.io?.out ?? ((line) => process.stdout.write(`${line}\n`)),
    err: options.io?.err ?? ((line) => process.stderr.write(`${line}\n`)),
    fail: () => {
      exitCode = 1;
    },
  };
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const open: ContextOpener = async ({ config: explicit }) => {
    const file = locateConfig(explicit, env, cwd);
    return openContext(loadConfig({ file, env, cwd }), env);
  };
  const load: SettingsLoader = async ({ config: explicit }) => {
    const config = loadConfig({ file: locateConfig(explicit, env, cwd), env, cwd });
    return {
      config,
      fetcher: createConfiguredFetcher(config),
      open: () => openContext(config, env),
    };
  };
  const program = buildProgram({ version, open, load, io, waitForStop: waitForSignal });
  try {
    await program.parseAsync(argv, { from: "user" });
    if (argv.length === 0) {
      program.outputHelp();
      return 2;
    }
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === "commander.helpDisplayed" || error.code === "commander.version") return 0;
      return 2;
    }
    io.err(isAppError(error) ? error.message : `warta: ${errorMessage(error)}`);
    return 1;
  }
  return exitCode;
}
