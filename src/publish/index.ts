export { type FeedFile, type FeedSetInput, renderFeedSet } from "./feed-set.js";
export { FEED_FILES, type FeedFormat, type FeedSpec, sortArticles } from "./model.js";
export { type RenderedFeed, renderFeed } from "./render-feed.js";
