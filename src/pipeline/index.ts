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
  composeDigests,
  composedEditions,
  composeSlot,
  type DigestSettings,
  type EditionPreview,
  previewEdition,
  renderVariantDigest,
  type Segment,
  type SlotOutcome,
} from "./digest.js";
export { extractInputs } from "./extract-inputs.js";
export {
  type DigestJobSummary,
  type JobName,
  jobNames,
  type PreviewOptions,
  type PreviewSummary,
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
export {
  describeSegment,
  greetingFor,
  parseSegment,
  primaryLanguage,
  sampleRecipient,
} from "./segments.js";
export { type SendSettings, type SendSummary, sendQueued } from "./send.js";
export { isValidTimezone, latestSlot, periodBefore, type SlotSchedule } from "./slots.js";
export { describeSources, type SourceReport, sourceLocation } from "./sources.js";
export {
  addSubscriber,
  exportSubscribers,
  type ImportSummary,
  importStatuses,
  importSubscribers,
  listSubscribers,
  normaliseLanguage,
  normaliseTimezone,
  parseCategories,
  parseFrequency,
  parseSubscriberFields,
  removeSubscriber,
} from "./subscribers.js";
