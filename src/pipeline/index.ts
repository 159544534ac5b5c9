export {
  type CollectFailure,
  type CollectSummary,
  collectSources,
  normaliseDraft,
} from "./collect.js";
export type { PipelineContext } from "./context.js";
export {
  type ComposeResult,
  composeEdition,
  type DigestSettings,
  previewEdition,
  renderEditionDigest,
  selectDigestArticles,
} from "./digest.js";
export {
  type DigestJobSummary,
  type JobName,
  jobNames,
  runCollect,
  runDigest,
  runJob,
  runPreview,
  runPublish,
  runSend,
} from "./jobs.js";
export { type PublishSummary, publishFeeds } from "./publish.js";
export { type SendSummary, sendQueued } from "./send.js";
export { type ImportSummary, importSubscribers } from "./subscribers.js";
