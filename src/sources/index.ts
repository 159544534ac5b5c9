export {
  type FailureBackoff,
  maxPollFloorSeconds,
  nextPollAfterFailure,
  nextPollAfterSuccess,
} from "./backoff.js";
export { formatOfFile, readDirectorySource, type SourceReadResult } from "./directory.js";
export {
  createFetcher,
  type FetcherOptions,
  type FetchStatusError,
  httpStatusOf,
  retryAfterOf,
} from "./http.js";
export {
  type BadLine,
  categorySeparator,
  readSubscriberRecords,
  type SubscriberFileEntry,
  type SubscriberRecord,
  subscriberCsvColumns,
  subscriberCsvHeader,
  subscriberCsvLine,
} from "./subscribers-file.js";
