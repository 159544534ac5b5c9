import path from "node:path";
import type { HubNotifyResult } from "../domain/ports.js";
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

/** Lines describing a composed edition. */
export function formatCompose(result: ComposeResult): string[] {
  if (!result.edition) return [`digest: no edition (${result.reason})`];
  const { edition } = result;
  return [
    `digest: edition ${edition.id} "${edition.subject}" with ${edition.articleIds.length} ` +
      `articles, queued for ${result.recipients} subscriber(s)`,
  ];
}

/** Lines describing a send run. */
export function formatSend(summary: SendSummary): string[] {
  const lines = [
    `send: ${summary.sent} message(s) delivered via ${summary.transport}` +
      (summary.failed > 0 ? `, ${summary.failed} refused` : "") +
      (summary.left > 0 ? `, ${summary.left} still queued` : ""),
  ];
  const places = summary.locations.map((l) => (l.startsWith("/") ? showPath(l) : l));
  if (summary.transport === "outbox" && places.length > 0) {
    lines.push(`  outbox: ${path.dirname(places[0] ?? "")}/`);
  } else if (places.length > 0) {
    lines.push(`  to: ${places.join(", ")}`);
  }
  for (const error of summary.errors.slice(0, 10)) lines.push(`  error: ${error}`);
  return lines;
}

/** Lines describing a subscribers import. */
export function formatImport(summary: ImportSummary): string[] {
  const lines = [`subscribers: ${summary.added} added, ${summary.known} already known`];
  for (const bad of summary.bad) lines.push(`  error: ${bad}`);
  return lines;
}
