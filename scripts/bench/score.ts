/*
 * The scoring of scrapinghub's article-extraction-benchmark, as the corpus README states it:
 * word tokens (Unicode \w+ runs), multisets of overlapping 4-token shingles, per-page
 * TP/FP/FN normalised to sum to 1, mean precision and recall over the pages where each is
 * defined, F1 from the two means, and accuracy as the share of exact token-sequence matches.
 */

/** Per-page shingle counts, each divided by their sum so that long pages weigh no more. */
export interface PageCounts {
  tp: number;
  fp: number;
  fn: number;
}

/** The benchmark's figures for one extractor over a set of pages. */
export interface Scores {
  f1: number;
  precision: number;
  recall: number;
  accuracy: number;
  pages: number;
}

/*
 * Python's `\w` in Unicode mode: letters, numbers and the underscore. Combining marks are
 * not word characters there, so they split tokens here too.
 */
const TOKEN_RE = /[\p{L}\p{N}_]+/gu;
const SHINGLE_SIZE = 4;

/** Splits a text into word tokens (runs of Unicode letters, digits and underscores). */
export function tokenize(text: string): string[] {
  return text.match(TOKEN_RE) ?? [];
}

/** Counts the overlapping 4-token shingles of a text; a shorter text is one shingle. */
export function shingles(text: string, size = SHINGLE_SIZE): Map<string, number> {
  const tokens = tokenize(text);
  const counts = new Map<string, number>();
  const last = Math.max(1, tokens.length - size + 1);
  for (let i = 0; i < last; i++) {
    const shingle = tokens.slice(i, i + size);
    // An empty text has no shingle at all (Python's `if shingle:`).
    if (shingle.length === 0) continue;
    const key = shingle.join("\u0000");
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** Matches the shingles of a prediction against the truth for one page, normalised. */
export function comparePage(truth: string, prediction: string): PageCounts {
  const expected = shingles(truth);
  const predicted = shingles(prediction);
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const [key, trueCount] of expected) {
    const predCount = predicted.get(key) ?? 0;
    tp += Math.min(trueCount, predCount);
    fn += Math.max(0, trueCount - predCount);
  }
  for (const [key, predCount] of predicted) {
    fp += Math.max(0, predCount - (expected.get(key) ?? 0));
  }
  const sum = tp + fp + fn;
  return sum > 0 ? { tp: tp / sum, fp: fp / sum, fn: fn / sum } : { tp, fp, fn };
}

/** Tells whether two texts have exactly the same token sequence. */
export function sameTokens(truth: string, prediction: string): boolean {
  const a = tokenize(truth);
  const b = tokenize(prediction);
  return a.length === b.length && a.every((token, i) => token === b[i]);
}

/**
 * Scores predictions against the truth over the truth's pages (a page without a prediction
 * counts as an empty prediction).
 */
export function scoreExtractions(
  truth: Readonly<Record<string, string>>,
  predictions: Readonly<Record<string, string | undefined>>,
): Scores {
  const precisions: number[] = [];
  const recalls: number[] = [];
  let exact = 0;
  const ids = Object.keys(truth);
  for (const id of ids) {
    const expected = truth[id] ?? "";
    const predicted = predictions[id] ?? "";
    const { tp, fp, fn } = comparePage(expected, predicted);
    if (fp === 0 && fn === 0) {
      precisions.push(1);
      recalls.push(1);
    } else {
      if (tp + fp > 0) precisions.push(tp / (tp + fp));
      if (tp + fn > 0) recalls.push(tp / (tp + fn));
    }
    if (sameTokens(expected, predicted)) exact++;
  }
  const precision = mean(precisions);
  const recall = mean(recalls);
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return {
    f1,
    precision,
    recall,
    accuracy: ids.length > 0 ? exact / ids.length : 0,
    pages: ids.length,
  };
}

function mean(values: number[]): number {
  return values.length > 0 ? values.reduce((a, b) => a + b, 0) / values.length : 0;
}

/** Reads a benchmark output file: `{output: {id: {articleBody}}}` or the plain mapping. */
export function readArticleBodies(json: unknown): Record<string, string> {
  const root =
    isRecord(json) && isRecord(json.output) ? json.output : isRecord(json) ? json : undefined;
  if (!root) throw new Error("score: the output file is not a JSON object");
  const bodies: Record<string, string> = {};
  for (const [id, value] of Object.entries(root)) {
    if (id === "version") continue;
    const body = isRecord(value) ? value.articleBody : undefined;
    bodies[id] = typeof body === "string" ? body : "";
  }
  return bodies;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
