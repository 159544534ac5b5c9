import type { SourceConfig } from "../config/index.js";
import type { SourceStateRepository } from "../domain/ports.js";

/** One configured source with what the store remembers of it. */
export interface SourceReport {
  id: string;
  type: SourceConfig["type"];
  location: string;
  enabled: boolean;
  lastSuccess?: Date;
  lastError?: string;
  lastErrorAt?: Date;
  consecutiveFailures: number;
  items: number;
  /** When the next collect will poll it; undefined for folders (read on every collect). */
  nextPoll?: Date;
}

/** Where a source reads from: its folder, URL or sitemap. */
export function sourceLocation(source: SourceConfig): string {
  switch (source.type) {
    case "directory":
      return source.path;
    case "feed":
    case "wordpress":
      return source.url;
    case "pages":
      return source.sitemap ?? `${source.urls.length} URL(s)`;
  }
}

/** Every configured source with its polling state. */
export async function describeSources(deps: {
  sources: readonly SourceConfig[];
  states: SourceStateRepository;
}): Promise<SourceReport[]> {
  const states = new Map((await deps.states.all()).map((s) => [s.sourceId, s]));
  return deps.sources.map((source) => {
    const state = states.get(source.id);
    const report: SourceReport = {
      id: source.id,
      type: source.type,
      location: sourceLocation(source),
      enabled: source.enabled,
      consecutiveFailures: state?.consecutiveFailures ?? 0,
      items: state?.items ?? 0,
    };
    if (state?.lastSuccess) report.lastSuccess = state.lastSuccess;
    if (state?.lastError) report.lastError = state.lastError;
    if (state?.lastErrorAt) report.lastErrorAt = state.lastErrorAt;
    if (state?.nextPoll && source.type !== "directory") report.nextPoll = state.nextPoll;
    return report;
  });
}
