import type { Config } from "../config/index.js";
import type { Fetcher } from "../domain/fetch.js";
import type { JobStateRepository } from "../domain/job.js";
import type {
  ArticleRepository,
  EditionRepository,
  FileWriter,
  HubNotifier,
  Mailer,
  SourceStateRepository,
  SubscriberRepository,
} from "../domain/ports.js";
import type { WartaMetrics } from "../metrics/index.js";
import type { Logger } from "../shared/logger.js";
import type { SqlFileVersions, SqlRateLimits } from "../store/index.js";
import type { SqlStatusStore } from "../store/status.js";
import type { TokenSigner } from "../subscriptions/tokens.js";

/** Everything a job needs, built by the composition root. Jobs take only what they use. */
export interface PipelineContext {
  config: Config;
  logger: Logger;
  articles: ArticleRepository;
  subscribers: SubscriberRepository;
  editions: EditionRepository;
  sourceStates: SourceStateRepository;
  /** Job leases and run history, shared by every process on the store. */
  jobs: JobStateRepository;
  /** Fetches remote sources and pages, politely. */
  fetcher: Fetcher;
  /** Writes into the public folder. */
  publicFiles: FileWriter;
  /** Opens the configured mail transport (lazily: only a job that sends needs it). */
  mailer: () => Mailer;
  now: () => Date;
  /** Signs and checks the links of emails and subscription pages. */
  tokens: TokenSigner;
  /** The WebSub hub to notify after a publish, when one is configured. */
  hub?: () => HubNotifier;
  /** Summaries of the store (warta status, /metrics) and the writes of bounce reports. */
  statusStore?: SqlStatusStore;
  /** The Prometheus metrics of this process, answered at /metrics. */
  metrics?: WartaMetrics;
  /** Bearer tokens from the environment: WARTA_BOUNCE_TOKEN, WARTA_METRICS_TOKEN. */
  access?: { bounceToken?: string; metricsToken?: string };
  /** The subscribe limits' counters, in the store: shared by every process serving pages. */
  rateLimits?: SqlRateLimits;
  /** Last-Modified of the public files, agreed by every process serving them. */
  fileVersions?: SqlFileVersions;
}
