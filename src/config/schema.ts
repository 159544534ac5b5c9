import { validate as validateCron } from "node-cron";
import { z } from "zod";

/** Tells whether the runtime knows the IANA time zone name. */
export function isKnownTimezone(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const timezone = z.string().refine(isKnownTimezone, { message: "unknown time zone" });
const cron = z
  .string()
  .refine((value) => validateCron(value), { message: "not a valid cron expression" });
const language = z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, {
  message: "not a language tag such as id or en",
});
const absoluteUrl = z.url({ protocol: /^https?$/, message: "not an absolute http(s) URL" });

const sourceId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]*$/, { message: "use lower-case letters, digits, - and _" });

/** A regular expression given as text; rejected at start-up when it does not compile. */
const pattern = z.string().refine(
  (value) => {
    try {
      new RegExp(value, "iu");
      return true;
    } catch {
      return false;
    }
  },
  { message: "not a valid regular expression" },
);

/** Per-source extraction rules, applied on top of the built-in boilerplate rules. */
const rules = z.strictObject({
  /** CSS selectors of page elements to drop before the body is extracted. */
  drop_selectors: z.array(z.string().min(1)).default([]),
  /** Regular expressions (case-insensitive): body lines or paragraphs that match are dropped. */
  drop_lines: z.array(pattern).default([]),
});

/** Keys every source kind shares. */
const common = {
  id: sourceId,
  /** Category given to articles that name none. */
  default_category: z.string().min(1).optional(),
  /** Language of articles that do not say. Defaults to the site language. */
  language: language.optional(),
  enabled: z.boolean().default(true),
  rules: rules.default(() => rules.parse({})),
};

const directorySource = z.strictObject({
  ...common,
  type: z.literal("directory"),
  /** Folder of article files, relative to the config file's folder. */
  path: z.string().min(1),
  /** Articles that name no category take the name of the sub-folder they are in. */
  category_from_folder: z.boolean().default(false),
  /** Base URL for article links when a file gives no URL. Defaults to site.base_url. */
  base_url: absoluteUrl.optional(),
});

/** Shortest time between two polls of one remote source, in seconds. */
const minInterval = z
  .int()
  .min(0)
  .max(7 * 86_400)
  .default(600);

const feedSource = z.strictObject({
  ...common,
  type: z.literal("feed"),
  /** RSS 0.9x/1.0/2.0, Atom 0.3/1.0 or JSON Feed 1.0/1.1 URL. */
  url: absoluteUrl,
  /** Complete items that carry only an excerpt by fetching and extracting their page. */
  fetch_full_page: z.boolean().default(false),
  min_interval: minInterval,
});

const pagesSource = z
  .strictObject({
    ...common,
    type: z.literal("pages"),
    /** Article URLs, each fetched and extracted. */
    urls: z.array(absoluteUrl).default([]),
    /** A sitemap, sitemap index or Google News sitemap listing the article URLs. */
    sitemap: absoluteUrl.optional(),
    /** Most pages taken from a sitemap in one run (newest first when it has dates). */
    max_pages: z.int().min(1).max(10_000).default(100),
    min_interval: minInterval,
  })
  .refine((source) => source.urls.length > 0 || source.sitemap !== undefined, {
    message: "give urls, a sitemap, or both",
    path: ["urls"],
  });

const wordpressSource = z.strictObject({
  ...common,
  type: z.literal("wordpress"),
  /** The site's address; the REST API is read at <url>/wp-json/wp/v2/posts. */
  url: absoluteUrl,
  /** Posts per API page (WordPress allows at most 100). */
  per_page: z.int().min(1).max(100).default(50),
  /** Most API pages read in one run. */
  max_pages: z.int().min(1).max(1_000).default(10),
  min_interval: minInterval,
});

const source = z.discriminatedUnion("type", [
  directorySource,
  feedSource,
  pagesSource,
  wordpressSource,
]);

/** How remote documents are fetched. */
const fetchSettings = z.strictObject({
  /** Whole-request deadline in seconds: a response that drips forever is cut off. */
  timeout: z.number().min(1).max(600).default(30),
  /** Largest body accepted, in bytes, after decompression. */
  max_bytes: z
    .int()
    .min(1_024)
    .max(1_073_741_824)
    .default(20 * 1024 * 1024),
  max_redirects: z.int().min(0).max(20).default(5),
  /** Requests at once to one host. */
  per_host: z.int().min(1).max(32).default(2),
  /** Replaces the default User-Agent (warta/<version> (+<site.base_url>)). */
  user_agent: z.string().min(1).optional(),
  /** First back-off after a failure, in seconds; doubled after each further failure. */
  backoff_base: z.int().min(1).default(300),
  /** Longest back-off, in seconds. */
  backoff_max: z.int().min(1).default(86_400),
});

const site = z.strictObject({
  title: z.string().min(1).default("Warta"),
  description: z.string().default(""),
  base_url: absoluteUrl.default("http://localhost:8080/"),
  language: language.default("id"),
  timezone: timezone.default("Asia/Jakarta"),
  author: z.string().optional(),
  copyright: z.string().optional(),
});

const feeds = z.strictObject({
  /** How many of the newest articles each feed carries. */
  items: z.int().min(1).max(10_000).default(50),
  /** Also write one set of feeds per category. */
  per_category: z.boolean().default(true),
  /** Also write one set of feeds per author (feeds/author/<slug>/). */
  per_author: z.boolean().default(true),
  /** Also write every feed as summaries only, in a summary/ folder beside the full text. */
  summary_variants: z.boolean().default(true),
  /** Write monthly RFC 5005 archive pages of the site-wide feed (feeds/archive/). */
  archives: z.boolean().default(true),
  /** Write a feed of the newsletter editions and each edition's web version. */
  editions: z.boolean().default(true),
  /** A WebSub hub announced by every feed (rel="hub"), when given. */
  websub_hub: absoluteUrl.optional(),
});

const frequency = z.enum(["daily", "weekly"]);
const weekday = z.enum([
  "monday",
  "tuesday",
  "wednesday",
  "thursday",
  "friday",
  "saturday",
  "sunday",
]);

const newsletter = z.strictObject({
  /**
   * Subject line: a Handlebars template with {{site}}, {{date}} and {{count}}; or one per
   * language ({ id: "...", en: "..." }), the site language's serving those without their own.
   */
  subject: z.union([z.string().min(1), z.record(language, z.string().min(1))]).default({
    id: "{{site}}: {{count}} berita pilihan, {{date}}",
    en: "{{site}}: {{count}} top stories, {{date}}",
  }),
  /** Most articles in one digest. */
  max_articles: z.int().min(1).max(200).default(20),
  /** Articles shown as full cards (image, summary); the rest of a digest lists headlines only. */
  full_articles: z.int().min(0).max(200).default(10),
  /**
   * Largest digest HTML in bytes, personal links included. Gmail clips messages over 102 KB,
   * so past this size the last full cards become headlines until the digest fits.
   */
  max_html_bytes: z.int().min(20_000).max(10_000_000).default(95_000),
  /** The MJML template, relative to the templates folder. */
  template: z.string().min(1).default("digest.mjml"),
  /** Local hour (0-23) at which digests are sent, in each subscriber's own time zone. */
  send_hour: z.int().min(0).max(23).default(6),
  /** Day of the week on which weekly digests are sent. */
  weekly_day: weekday.default("monday"),
  /** Frequency of new subscribers who do not choose one. */
  default_frequency: frequency.default("daily"),
  /**
   * How long after its slot a digest missed while warta was down is still sent, in hours.
   * A later start sends the next slot's digest instead (with the missed articles in it).
   */
  grace_hours: z.int().min(0).max(168).default(6),
  /** How long a subscription confirmation link stays valid, in hours. */
  confirm_hours: z
    .int()
    .min(1)
    .max(24 * 30)
    .default(48),
  /** Address for mailto: unsubscribe requests (List-Unsubscribe), when the site reads one. */
  unsubscribe_mailto: z.email({ message: "not an e-mail address" }).optional(),
  /** A CSV file (email,name,language,timezone,...) whose new addresses are added as active subscribers. */
  subscribers_file: z.string().min(1).optional(),
});

const schedule = z.strictObject({
  collect: cron.default("*/15 * * * *"),
  publish: cron.default("*/15 * * * *"),
  /** When to check for digests due: each subscriber gets theirs at newsletter.send_hour local time. */
  digest: cron.default("0 * * * *"),
  /** When to send what is queued or due for a retry, and to read bounces. */
  send: cron.default("* * * * *"),
  /**
   * Several `warta run` on one store: one of them fires the jobs and renews its lease every
   * third of this; when it dies another takes over within this many seconds.
   */
  failover_seconds: z.int().min(3).max(3_600).default(30),
});

const smtp = z.strictObject({
  host: z.string().min(1).default("localhost"),
  port: z.int().min(1).max(65_535).default(587),
  /** true: TLS from the start (port 465); false: STARTTLS when offered. */
  secure: z.boolean().default(false),
  /** User name; the password comes from the environment (WARTA_SMTP_PASSWORD). */
  user: z.string().optional(),
  /** Reject servers whose certificate does not verify. */
  tls_reject_unauthorized: z.boolean().default(true),
});

/** DKIM signing of every message (RFC 6376). */
const dkim = z.strictObject({
  /** The signing domain (d=), normally the domain of mail.from. */
  domain: z.string().min(1),
  /** The selector (s=): the public key is published at <selector>._domainkey.<domain>. */
  selector: z.string().min(1),
  /** PEM file of the private key; WARTA_DKIM_PRIVATE_KEY (the PEM text) takes precedence. */
  private_key_file: z.string().min(1).optional(),
});

/** How the sender spreads messages over SMTP connections. */
const pool = z.strictObject({
  /** Open SMTP connections per server at once. */
  max_connections: z.int().min(1).max(100).default(5),
  /** Messages sent over one connection before it is replaced. */
  max_messages: z.int().min(1).max(100_000).default(100),
  /** Most messages per second over all connections; 0: no limit. */
  rate_per_second: z.number().min(0).max(100_000).default(0),
  /** Seconds to wait for a connection and for the server's greeting. */
  connect_timeout: z.int().min(1).max(600).default(30),
  /** Seconds of silence on an open connection before the message is deferred. */
  idle_timeout: z.int().min(1).max(3_600).default(60),
  /** Seconds a server that could not be reached is passed over for the next one. */
  failover_cooldown: z.int().min(0).max(86_400).default(60),
});

/** Messages per hour for a new sending domain, rising day by day (warming up its reputation). */
const rampUp = z.strictObject({
  /** The first day of sending (YYYY-MM-DD, in site.timezone). */
  start: z.iso.date({ message: "not a date such as 2026-12-01" }),
  /** Most messages per hour on day 1, 2, 3...; after the last day, no limit. */
  per_hour: z.array(z.int().min(1)).min(1),
});

/** Where bounce notifications (RFC 3464) and complaints (RFC 5965) are read from. */
const bounces = z.strictObject({
  /** A Maildir folder the mail server delivers bounces into (new/ is read, then moved to cur/). */
  maildir: z.string().min(1).optional(),
});

const mail = z.strictObject({
  from: z.string().min(3).default("Warta <newsletter@example.org>"),
  reply_to: z.string().optional(),
  /** Envelope sender (MAIL FROM, later the Return-Path) where bounces go; default: mail.from. */
  return_path: z.email({ message: "not an e-mail address" }).optional(),
  dkim: dkim.optional(),
  /** outbox: write .eml files to paths.outbox; smtp: deliver through mail.smtp. */
  transport: z.enum(["outbox", "smtp"]).default("outbox"),
  smtp: smtp.default(() => smtp.parse({})),
  /** More SMTP servers, tried in order when the ones before them cannot be reached. */
  failover: z.array(smtp).default([]),
  pool: pool.default(() => pool.parse({})),
  /** Messages claimed from the queue at a time, per sender process. */
  batch_size: z.int().min(1).max(10_000).default(200),
  /**
   * How long a sender's claim on a batch lasts, in seconds: after a crash, its messages are
   * retried this long after the claim (each with the same Message-ID).
   */
  claim_seconds: z.int().min(1).max(86_400).default(300),
  /** First retry delay after a temporary failure (4xx, dropped connection, timeout), in seconds; doubles each attempt, with jitter. */
  retry_base_seconds: z.int().min(1).max(86_400).default(60),
  /** Longest delay between retries, in seconds. */
  retry_max_seconds: z
    .int()
    .min(1)
    .max(7 * 86_400)
    .default(3_600),
  /** A message still failing temporarily this long after it was queued is given up (failed). */
  retry_for_hours: z
    .int()
    .min(1)
    .max(24 * 30)
    .default(48),
  /** Hard bounces (5xx) in a row after which a subscriber is marked bounced; a success resets the count. */
  bounce_limit: z.int().min(1).max(100).default(2),
  /** Consecutive transport errors that pause an edition (resume with `warta send --resume`). */
  max_consecutive_errors: z.int().min(1).max(10_000).default(25),
  ramp_up: rampUp.optional(),
  bounces: bounces.default(() => bounces.parse({})),
});

const paths = z.strictObject({
  data: z.string().min(1).default("../data"),
  public: z.string().min(1).default("../public"),
  outbox: z.string().min(1).default("../outbox"),
  templates: z.string().min(1).default("../templates"),
});

/** The HTTP server of the public folder (`warta serve`, and `warta run` unless disabled). */
const server = z.strictObject({
  /** Address to listen on; 127.0.0.1 keeps it local (put a proxy in front), 0.0.0.0 opens it. */
  host: z.string().min(1).default("127.0.0.1"),
  /** TCP port; 0 picks a free one (the chosen port is printed). */
  port: z.int().min(0).max(65_535).default(8080),
  /** Cache-Control max-age of the served feeds and pages, in seconds. */
  cache_max_age: z
    .int()
    .min(0)
    .max(365 * 86_400)
    .default(300),
  /** Whether `warta run` serves the public folder too; `warta serve` always does. */
  enabled: z.boolean().default(true),
  /**
   * Trust the X-Forwarded-For header for the client address (rate limits): only behind a
   * reverse proxy that sets it.
   */
  trust_proxy: z.boolean().default(false),
  /** Subscribe requests allowed per client address per hour. */
  subscribe_per_ip: z.int().min(1).max(100_000).default(10),
  /** Subscribe requests (and so confirmation emails) allowed per e-mail address per day. */
  subscribe_per_address: z.int().min(1).max(1_000).default(3),
});

/** Digest previews (`warta digest --preview`). */
const preview = z.strictObject({
  /** Chromium or Chrome used for the screenshots. */
  chromium: z.string().min(1).default("/usr/bin/chromium"),
});

const log = z.strictObject({
  level: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("warn"),
});

/** The schema of a warta configuration file. Every key has a default. */
export const configSchema = z.strictObject({
  /**
   * Where warta keeps its state: the path of an SQLite file (default: warta.sqlite in
   * paths.data) or a postgres:// URL (add ?schema=NAME to use a schema other than public).
   */
  store: z
    .string()
    .min(1)
    .refine(
      (value) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(value) || /^postgres(ql)?:\/\//i.test(value),
      {
        message: "must be a postgres:// URL or the path of an SQLite file",
      },
    )
    .optional(),
  site: site.default(() => site.parse({})),
  sources: z.array(source).default([]),
  fetch: fetchSettings.default(() => fetchSettings.parse({})),
  feeds: feeds.default(() => feeds.parse({})),
  newsletter: newsletter.default(() => newsletter.parse({})),
  schedule: schedule.default(() => schedule.parse({})),
  mail: mail.default(() => mail.parse({})),
  paths: paths.default(() => paths.parse({})),
  server: server.default(() => server.parse({})),
  preview: preview.default(() => preview.parse({})),
  log: log.default(() => log.parse({})),
});

export type FileConfig = z.infer<typeof configSchema>;
export type SourceConfig = FileConfig["sources"][number];
export type SiteConfig = FileConfig["site"];
export type FeedsConfig = FileConfig["feeds"];
export type NewsletterConfig = FileConfig["newsletter"];
export type ScheduleConfig = FileConfig["schedule"];
export type MailConfig = FileConfig["mail"];
export type FetchConfig = FileConfig["fetch"];
export type ServerConfig = FileConfig["server"];
export type Frequency = z.infer<typeof frequency>;

/** The subject template for a digest language: its own, else the site language's, else any. */
export function subjectFor(
  subject: NewsletterConfig["subject"],
  language: string,
  siteLanguage: string,
): string {
  if (typeof subject === "string") return subject;
  const primary = (tag: string) => tag.toLowerCase().split("-")[0] ?? tag;
  const pick = (tag: string) =>
    subject[tag] ?? Object.entries(subject).find(([key]) => primary(key) === primary(tag))?.[1];
  return pick(language) ?? pick(siteLanguage) ?? Object.values(subject)[0] ?? "{{site}}";
}
export type Weekday = z.infer<typeof weekday>;
export type RulesConfig = FileConfig["sources"][number]["rules"];
export type DirectorySourceConfig = Extract<SourceConfig, { type: "directory" }>;
