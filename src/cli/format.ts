import path from "node:path";
import type { HubNotifyResult } from "../domain/ports.js";
import type { Subscriber } from "../domain/subscriber.js";
import type {
  CollectSummary,
  ComposeResult,
  ImportSummary,
  PublishSummary,
  SendSummary,
  SourceReport,
} from "../pipeline/index.js";

/** Shows a path relative to the working directory when it lies below it. */
export function showPath(file: string, cwd = process.cwd()): string {
  const relative = path.relative(cwd, file);
  return relative && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : file;
}

/** Lines describing a collect run. */
export function formatCollect(summary: CollectSummary): string[] {
  const lines = [
    `collect: ${summary.documents} documents from ${summary.sources} source(s): ` +
      `${summary.inserted} new, ${summary.updated} updated, ${summary.unchanged} unchanged` +
      (summary.merged > 0 ? `, ${summary.merged} already known from elsewhere` : "") +
      (summary.failures.length > 0 ? `, ${summary.failures.length} failed` : ""),
  ];
  for (const outcome of summary.outcomes) {
    if (outcome.status === "not-due") {
      lines.push(`  ${outcome.sourceId}: not due until ${outcome.nextPoll?.toISOString()}`);
    } else if (outcome.status === "not-modified") {
      lines.push(`  ${outcome.sourceId}: not modified since the last poll`);
    }
  }
  for (const failure of summary.failures) lines.push(`  error: ${failure.message}`);
  return lines;
}

const when = (date: Date | undefined) =>
  date ? date.toISOString().replace(/\.\d{3}Z$/, "Z") : "-";

/** Lines describing each source's state. */
export function formatSources(reports: SourceReport[]): string[] {
  if (reports.length === 0) return ["sources: none configured"];
  const lines: string[] = [];
  for (const report of reports) {
    lines.push(
      `${report.id} (${report.type}${report.enabled ? "" : ", disabled"}): ${report.type === "directory" ? showPath(report.location) : report.location}`,
    );
    lines.push(`  last success: ${when(report.lastSuccess)}   items: ${report.items}`);
    if (report.type !== "directory") lines.push(`  next poll:    ${when(report.nextPoll)}`);
    if (report.lastError) {
      const failures =
        report.consecutiveFailures > 0
          ? ` (${report.consecutiveFailures} failure(s) in a row)`
          : "";
      lines.push(`  last error:   ${when(report.lastErrorAt)} ${report.lastError}${failures}`);
    }
  }
  return lines;
}

/** Lines describing a publish run. */
export function formatPublish(
  summary: PublishSummary & { hub?: HubNotifyResult | null },
): string[] {
  const siteFeeds = ["feeds/rss.xml", "feeds/atom.xml", "feeds/feed.json", "index.html"].filter(
    (f) => summary.files.includes(f),
  );
  const categories = new Set(
    summary.files.filter((f) => f.startsWith("feeds/category/")).map((f) => f.split("/")[2]),
  );
  const lines = [
    `feeds: ${summary.files.length} files (${summary.changed.length} changed) with ` +
      `${summary.articles} articles, ${categories.size} categories, in ${showPath(summary.folder)}/`,
    ...siteFeeds.map((f) => `  ${showPath(path.join(summary.folder, f))}`),
  ];
  if (summary.hub) {
    lines.push(`  websub: ${summary.hub.notified.length} feed(s) announced to the hub`);
    for (const failure of summary.hub.failed) lines.push(`  error: ${failure.error}`);
  }
  return lines;
}

/** Lines describing a digest run: one per edition, or why there was none. */
export function formatCompose(result: ComposeResult): string[] {
  const lines: string[] = [];
  for (const outcome of result.slots) {
    const { slot } = outcome;
    for (const { edition, recipients } of outcome.editions) {
      const segment = edition.segment?.length ? edition.segment.join(", ") : "all categories";
      lines.push(
        `digest: edition ${edition.id} "${edition.subject}" with ${edition.articleIds.length} ` +
          `articles (${slot.frequency}, ${slot.timezone}, ${edition.language}, ${segment}), ` +
          `queued for ${recipients} subscriber(s)`,
      );
    }
  }
  const skipped: string[] = [];
  for (const outcome of result.slots) {
    const { slot } = outcome;
    if (outcome.status === "unknown-timezone") {
      skipped.push(
        `  skipped: ${outcome.subscribers} ${slot.frequency} subscriber(s) in unknown time zone "${slot.timezone}"`,
      );
    } else if (outcome.status === "past-grace") {
      skipped.push(
        `  skipped: ${slot.frequency} ${slot.timezone} slot of ${when(slot.at)} (past newsletter.grace_hours)`,
      );
    }
  }
  if (lines.length === 0) lines.push(`digest: no edition (${noEditionReason(result)})`);
  return [...lines, ...skipped];
}

function noEditionReason(result: ComposeResult): string {
  if (result.slots.length === 0) return "no active subscribers";
  const composed = result.slots.filter((s) => s.status === "composed");
  if (composed.length > 0) {
    const readers = composed.reduce((sum, s) => sum + s.subscribers, 0);
    return `no new articles for the ${readers} subscriber(s) due`;
  }
  return "no digest due";
}

/** Lines describing a send run. */
export function formatSend(summary: SendSummary): string[] {
  const lines = [
    `send: ${summary.sent} message(s) delivered via ${summary.transport}` +
      (summary.bounced > 0 ? `, ${summary.bounced} bounced` : "") +
      (summary.deferred > 0 ? `, ${summary.deferred} deferred` : "") +
      (summary.failed > 0 ? `, ${summary.failed} failed` : "") +
      (summary.left > 0 ? `, ${summary.left} still queued` : "") +
      (summary.paused.length > 0 ? `, ${summary.paused.length} edition(s) paused` : ""),
  ];
  const places = summary.locations.map((l) => (l.startsWith("/") ? showPath(l) : l));
  if (summary.transport === "outbox" && places.length > 0) {
    lines.push(`  outbox: ${path.dirname(places[0] ?? "")}/`);
  } else if (places.length > 0) {
    lines.push(`  to: ${places.join(", ")}`);
  }
  for (const id of summary.resumed) lines.push(`  resumed: edition ${id}`);
  for (const paused of summary.paused) {
    lines.push(
      `  paused: edition ${paused.editionId} since ${paused.at.toISOString()}: ${paused.reason}` +
        ` (resume with \`warta send --resume ${paused.editionId}\`)`,
    );
  }
  if (summary.rampUp) {
    lines.push(
      `  ramp-up limit reached, ${summary.rampUp.more} more this hour` +
        ` (day ${summary.rampUp.day}: ${summary.rampUp.perHour} per hour)`,
    );
  }
  if (summary.stopped) lines.push("  stopped: the rest stays queued for the next run");
  for (const error of summary.errors.slice(0, 10)) lines.push(`  error: ${error}`);
  return lines;
}

/** Lines describing a subscribers import. */
export function formatImport(summary: ImportSummary): string[] {
  const lines = [`subscribers: ${summary.added} added, ${summary.known} already known`];
  for (const bad of summary.bad) lines.push(`  error: ${bad}`);
  return lines;
}

/** One subscriber as a line of `warta subscribers list`: address, status, choices. */
export function formatSubscriber(subscriber: Subscriber): string {
  const categories =
    subscriber.categories.length > 0 ? subscriber.categories.join(",") : "(all categories)";
  return [
    subscriber.email.padEnd(32),
    subscriber.status.padEnd(12),
    subscriber.frequency.padEnd(6),
    subscriber.language.padEnd(3),
    subscriber.timezone.padEnd(20),
    categories,
  ].join(" ");
}

/** Lines describing `warta subscribers import`: the counts, then the first bad lines. */
export function formatSubscriberImport(summary: ImportSummary, shown = 20): string[] {
  const lines = [
    `subscribers: imported ${summary.added}, already present ${summary.known}, bad ${summary.badLines.length}`,
  ];
  for (const bad of summary.badLines.slice(0, shown)) {
    lines.push(`  line ${bad.line}: ${bad.message}`);
  }
  if (summary.badLines.length > shown) {
    lines.push(`  ... and ${summary.badLines.length - shown} more`);
  }
  return lines;
}
