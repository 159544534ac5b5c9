export {
  type CollectDeps,
  type CollectFailure,
  type CollectSummary,
  collectSources,
  type SourceOutcome,
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
export { extractInputs } from "./extract-inputs.js";
export {
  type DigestJobSummary,
  type JobName,
  jobNames,
  type PublishJobSummary,
  runCollect,
  runDigest,
  runJob,
  runPreview,
  runPublish,
  runSend,
} from "./jobs.js";
export { type DraftOrigin, normaliseDraft } from "./normalise.js";
export { type PublishSummary, publishFeeds } from "./publish.js";
export { compileRules, readRemoteSource, wordpressPostsUrl } from "./remote.js";
export { type SendSummary, sendQueued } from "./send.js";
export { describeSources, type SourceReport, sourceLocation } from "./sources.js";
export { type ImportSummary, importSubscribers } from "./subscribers.js";
