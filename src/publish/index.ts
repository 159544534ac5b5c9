export { INDEX_PATH, OPML_PATH, renderIndexPage, renderOpml } from "./catalog.js";
export { editionArticle, renderEditionPage } from "./editions.js";
export { type FeedSetInput, renderFeedSet, stampOf } from "./feed-set.js";
export {
  FEED_CONTENT_TYPES,
  FEED_FILES,
  FEED_FORMATS,
  type FeedArticle,
  type FeedFormat,
  type FeedHistory,
  type FeedSpec,
  type FeedVariant,
  feedPath,
  sortArticles,
} from "./model.js";
export { MonthFinder, monthLabel, monthRange } from "./months.js";
export {
  type ArticleStamp,
  archivePath,
  authorSlug,
  catalogSignature,
  editionPagePath,
  type FeedKind,
  feedSignature,
  type PlanInput,
  type PlannedDocument,
  type PlannedFeed,
  type PublicationPlan,
  planPublication,
  RENDER_VERSION,
} from "./plan.js";
export {
  type FeedFile,
  type RenderedFeed,
  renderFeed,
  renderFeedDocuments,
  renderPlannedFeed,
} from "./render-feed.js";
