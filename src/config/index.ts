export {
  type Config,
  type ConfigIssue,
  loadConfig,
  locateConfig,
  type ResolvedMail,
  type ResolvedPaths,
  resolveConfig,
} from "./load.js";
export {
  configSchema,
  type DirectorySourceConfig,
  type FeedsConfig,
  type FetchConfig,
  isKnownTimezone,
  type MailConfig,
  type NewsletterConfig,
  type RulesConfig,
  type ScheduleConfig,
  type ServerConfig,
  type SiteConfig,
  type SourceConfig,
  subjectFor,
} from "./schema.js";
