export { feedEntryToDraft, isExcerptOnly } from "./draft.js";
export { DEFAULT_MAX_FEED_BYTES, type ParseFeedOptions, parseFeed } from "./parse-feed.js";
