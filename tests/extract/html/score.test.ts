import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { baselineNames, corpusDir, loadBaselineOutput } from "../../../scripts/bench/extraction.js";
import {
  comparePage,
  readArticleBodies,
  scoreExtractions,
  shingles,
  tokenize,
} from "../../../scripts/bench/score.js";

describe("the benchmark metric", () => {
  it("tokenises on Unicode word characters, like Python's \\w+", () => {
    expect(tokenize("Menteri: “Kami siap”, kata-nya — 2024_05 café")).toEqual([
      "Menteri",
      "Kami",
      "siap",
      "kata",
      "nya",
      "2024_05",
      "café",
    ]);
  });

  it("counts overlapping 4-token shingles, a short text as one shingle and an empty one as none", () => {
    expect([...shingles("a b c d e").values()]).toEqual([1, 1]);
    expect([...shingles("a b").keys()]).toHaveLength(1);
    expect(shingles("").size).toBe(0);
  });

  it("normalises a page's counts to sum to one", () => {
    const counts = comparePage("a b c d e f", "a b c d e x");
    expect(counts.tp + counts.fp + counts.fn).toBeCloseTo(1);
    expect(counts.tp).toBeCloseTo(2 / 4);
  });

  it("scores an exact prediction 1 and an empty one 0 recall", () => {
    expect(
      scoreExtractions({ a: "one two three four" }, { a: "one two three four" }),
    ).toMatchObject({
      f1: 1,
      precision: 1,
      recall: 1,
      accuracy: 1,
    });
    expect(scoreExtractions({ a: "one two three four" }, {})).toMatchObject({ recall: 0 });
  });
});

describe("score.ts against the corpus's reference scores", () => {
  const truth = readArticleBodies(
    JSON.parse(
      readFileSync(path.join(corpusDir(), "scrapinghub-aeb", "ground-truth.json"), "utf8"),
    ),
  );
  const reference = JSON.parse(
    readFileSync(path.join(corpusDir(), "scrapinghub-aeb", "baseline-scores-dev.json"), "utf8"),
  ) as Record<string, { f1: number; precision: number; recall: number; accuracy: number }>;

  it("covers every baseline of the corpus", () => {
    expect(baselineNames()).toEqual(Object.keys(reference).sort());
  });

  for (const name of baselineNames()) {
    it(`reproduces ${name}'s F1, precision, recall and accuracy to 3 decimals`, () => {
      const scores = scoreExtractions(truth, loadBaselineOutput(name));
      const expected = reference[name]!;
      expect(scores.pages).toBe(91);
      expect(scores.f1.toFixed(3)).toBe(expected.f1.toFixed(3));
      expect(scores.precision.toFixed(3)).toBe(expected.precision.toFixed(3));
      expect(scores.recall.toFixed(3)).toBe(expected.recall.toFixed(3));
      expect(scores.accuracy.toFixed(3)).toBe(expected.accuracy.toFixed(3));
    });
  }
});
