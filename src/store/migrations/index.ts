import type { Migration } from "kysely";
import * as initial from "./0001-initial.js";
import * as dedup from "./0002-dedup-and-source-state.js";
import * as feedState from "./0003-feed-state.js";
import * as subscriptions from "./0004-subscriptions.js";
import * as jobState from "./0005-job-state.js";
import * as deliveryLog from "./0006-delivery-log.js";
import * as rateLimits from "./0007-rate-limits.js";
import * as fileVersions from "./0008-file-versions.js";
import * as pendingDeliveries from "./0009-pending-deliveries.js";
import * as dropFeedState from "./0010-drop-feed-state.js";
import * as pendingOr from "./0011-pending-deliveries-or.js";

/**
 * Every migration, by name. Names sort in the order they must run; a migration, once
 * released, is never edited: add a new one instead.
 */
export const migrations: Record<string, Migration> = {
  "0001-initial": initial,
  "0002-dedup-and-source-state": dedup,
  "0003-feed-state": feedState,
  "0004-subscriptions": subscriptions,
  "0005-job-state": jobState,
  "0006-delivery-log": deliveryLog,
  "0007-rate-limits": rateLimits,
  "0008-file-versions": fileVersions,
  "0009-pending-deliveries": pendingDeliveries,
  "0010-drop-feed-state": dropFeedState,
  "0011-pending-deliveries-or": pendingOr,
};
