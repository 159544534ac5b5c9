import type { Logger } from "../shared/logger.js";
import { type BounceReport, parseBounce } from "./parse.js";

/** A delivery as the store gives it to the bounce handling. */
export interface BounceDelivery {
  editionId: number;
  subscriberId: number;
  messageId: string;
  status: string;
}

/**
 * What applying bounce reports needs from the store (SqlStatusStore implements it). Every write
 * is idempotent: applying one report twice changes the store once.
 */
export interface BounceStore {
  delivery(editionId: number, subscriberId: number): Promise<BounceDelivery | undefined>;
  subscriberByEmail(
    email: string,
  ): Promise<{ subscriber: { id: number }; latest?: BounceDelivery } | undefined>;
  recordHardBounce(input: {
    subscriberId: number;
    editionId?: number;
    error: string;
    limit: number;
    now: Date;
  }): Promise<{ counted: boolean; hardBounces: number; subscriberBounced: boolean }>;
  recordComplaint(subscriberId: number, now: Date): Promise<boolean>;
  recordSoftBounce(
    editionId: number,
    subscriberId: number,
    error: string,
    now: Date,
  ): Promise<boolean>;
}

export interface ApplyDeps {
  store: BounceStore;
  /** mail.bounce_limit: hard bounces after which a subscriber is marked bounced. */
  bounceLimit: number;
  now: () => Date;
  logger: Logger;
}

/** What one report did to the store. */
export interface AppliedBounce {
  kind: BounceReport["kind"];
  /**
   * applied: the store changed; duplicate: the report was applied before (nothing changed);
   * unmatched: neither its Message-ID nor its recipient is ours.
   */
  outcome: "applied" | "duplicate" | "unmatched";
  /** How the delivery or subscriber was found. */
  matchedBy?: "message-id" | "recipient";
  editionId?: number;
  subscriberId?: number;
  /** Hard bounces of the subscriber after this report. */
  hardBounces?: number;
  /** This report moved the subscriber to 'bounced' (hard) or 'complained'. */
  subscriberStopped?: boolean;
  status?: string;
}

/** Our Message-IDs: `<warta.e<edition>.s<subscriber>@host>` (see digestMessageId). */
const ourMessageId = /^<warta\.e(\d+)\.s(\d+)@[^>\s]+>$/i;

/** Finds the delivery a report is about: by our Message-ID first, else by its recipient. */
async function locate(
  report: BounceReport,
  store: BounceStore,
): Promise<
  { by: "message-id" | "recipient"; subscriberId: number; delivery?: BounceDelivery } | undefined
> {
  const ids = report.messageId ? ourMessageId.exec(report.messageId) : null;
  if (ids && report.messageId) {
    const delivery = await store.delivery(Number(ids[1]), Number(ids[2]));
    // The numbers alone could name a delivery of another installation (or an erased subscriber
    // whose id was reused): the whole stored Message-ID must match.
    if (delivery && delivery.messageId.toLowerCase() === report.messageId.toLowerCase()) {
      return { by: "message-id", subscriberId: delivery.subscriberId, delivery };
    }
  }
  if (report.recipient) {
    const found = await store.subscriberByEmail(report.recipient);
    if (found) {
      // Without our Message-ID the report is taken to be about the newest message they got.
      return found.latest
        ? { by: "recipient", subscriberId: found.subscriber.id, delivery: found.latest }
        : { by: "recipient", subscriberId: found.subscriber.id };
    }
  }
  return undefined;
}

/** The text recorded as a delivery's last error for a report. */
function describe(report: BounceReport): string {
  const label = {
    hard: "bounced",
    soft: "soft bounce",
    delayed: "delayed",
    complaint: "complaint",
  }[report.kind];
  const status = report.status ? ` ${report.status}` : "";
  return report.diagnostic ? `${label}${status}: ${report.diagnostic}` : `${label}${status}`;
}

/**
 * Applies parsed bounce reports to the store: a hard bounce marks the delivery bounced and
 * counts against the subscriber (bounced at mail.bounce_limit); a complaint marks the
 * subscriber complained; a soft bounce or a delay is only noted on the delivery.
 */
export async function applyBounces(
  reports: readonly BounceReport[],
  deps: ApplyDeps,
): Promise<AppliedBounce[]> {
  const log = deps.logger.child({ component: "bounces" });
  const results: AppliedBounce[] = [];
  for (const report of reports) {
    const found = await locate(report, deps.store);
    const result: AppliedBounce = { kind: report.kind, outcome: "unmatched" };
    if (report.status) result.status = report.status;
    if (!found) {
      log.warn({ kind: report.kind, status: report.status }, "bounce: no delivery matches");
      results.push(result);
      continue;
    }
    result.matchedBy = found.by;
    result.subscriberId = found.subscriberId;
    if (found.delivery) result.editionId = found.delivery.editionId;
    switch (report.kind) {
      case "hard": {
        const recorded = await deps.store.recordHardBounce({
          subscriberId: found.subscriberId,
          ...(found.delivery ? { editionId: found.delivery.editionId } : {}),
          error: describe(report),
          limit: deps.bounceLimit,
          now: deps.now(),
        });
        result.outcome = recorded.counted ? "applied" : "duplicate";
        result.hardBounces = recorded.hardBounces;
        result.subscriberStopped = recorded.subscriberBounced;
        break;
      }
      case "complaint": {
        const changed = await deps.store.recordComplaint(found.subscriberId, deps.now());
        result.outcome = changed ? "applied" : "duplicate";
        result.subscriberStopped = changed;
        break;
      }
      default: {
        const changed = found.delivery
          ? await deps.store.recordSoftBounce(
              found.delivery.editionId,
              found.delivery.subscriberId,
              describe(report),
              deps.now(),
            )
          : false;
        // A subscriber found by address who was never sent a digest: nothing to note it on.
        result.outcome = !found.delivery ? "unmatched" : changed ? "applied" : "duplicate";
      }
    }
    log.info(
      {
        kind: report.kind,
        outcome: result.outcome,
        matchedBy: result.matchedBy,
        editionId: result.editionId,
        subscriberId: result.subscriberId,
        status: report.status,
        subscriberStopped: result.subscriberStopped,
      },
      "bounce applied",
    );
    results.push(result);
  }
  return results;
}

/**
 * Reads one raw message (a DSN, an ARF report, or anything else) and applies what it reports.
 * A message that is not a report yields an empty list.
 */
export async function applyBounceMessage(
  raw: string | Uint8Array,
  deps: ApplyDeps,
): Promise<AppliedBounce[]> {
  return applyBounces(await parseBounce(raw), deps);
}
