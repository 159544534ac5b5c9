import type { SubscriberRepository } from "../domain/ports.js";
import type { Logger } from "../shared/logger.js";
import { readSubscribersFile } from "../sources/index.js";

/** What importing a subscribers file did. */
export interface ImportSummary {
  added: number;
  known: number;
  bad: string[];
}

/**
 * Adds the addresses of a CSV file that the store does not know yet, as active subscribers.
 * Known addresses are left as they are: an unsubscribed reader is never re-subscribed.
 */
export async function importSubscribers(deps: {
  file: string;
  subscribers: SubscriberRepository;
  now: () => Date;
  logger: Logger;
}): Promise<ImportSummary> {
  const { subscribers, bad } = await readSubscribersFile(deps.file);
  const added = await deps.subscribers.addIfAbsent(subscribers, deps.now());
  const lines = bad.map((b) => `subscribers: ${deps.file}:${b.line}: ${b.message}`);
  for (const line of lines) deps.logger.warn({ component: "subscribers" }, line);
  return { added, known: subscribers.length - added, bad: lines };
}
