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
  type FeedsConfig,
  isKnownTimezone,
  type MailConfig,
  type NewsletterConfig,
  type ScheduleConfig,
  type SiteConfig,
  type SourceConfig,
} from "./schema.js";
