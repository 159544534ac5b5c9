import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { containment, hammingDistance, simhash } from "../../src/shared/simhash.js";
import { repoRoot } from "../helpers/workspace.js";

/** Bodies of the bundled Markdown samples: real-length, unrelated news stories. */
function sampleBodies(): string[] {
  const folder = path.join(repoRoot, "samples", "articles");
  return readdirSync(folder, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith(".md"))
    .map((f) => readFileSync(path.join(folder, f), "utf8").split("---").slice(2).join("---"));
}

/** The story republished elsewhere: one word changed, the last paragraph cut, a line added. */
function republish(body: string): string {
  const paragraphs = body.trim().split(/\n\s*\n/);
  paragraphs[0] = paragraphs[0]!.replace(/\b(dan|yang|the|and)\b/, "serta");
  return [...paragraphs.slice(0, -1), "Baca berita lainnya di situs mitra kami."].join("\n\n");
}

describe("near-duplicate fingerprints", () => {
  const bodies = sampleBodies();

  it("keeps republished copies closer than any two different stories", () => {
    expect(bodies.length).toBeGreaterThanOrEqual(10);
    const copies = bodies.map((b) => hammingDistance(simhash(b)!, simhash(republish(b))!));
    const different: number[] = [];
    for (let i = 0; i < bodies.length; i += 1) {
      for (let j = i + 1; j < bodies.length; j += 1) {
        different.push(hammingDistance(simhash(bodies[i]!)!, simhash(bodies[j]!)!));
      }
    }
    expect(Math.max(...copies)).toBeLessThan(Math.min(...different));
  });

  it("measures how much of a republished copy is contained in the original", () => {
    for (const body of bodies) expect(containment(body, republish(body))).toBeGreaterThan(0.75);
    expect(containment(bodies[0]!, bodies[1]!)).toBeLessThan(0.2);
  });

  it("declines texts too short to judge", () => {
    expect(simhash("Banjir di Jambi.")).toBeUndefined();
  });

  it("counts differing bits across the whole 64", () => {
    expect(hammingDistance("0000000000000000", "0000000000000000")).toBe(0);
    expect(hammingDistance("8000000000000001", "0000000000000000")).toBe(2);
    expect(hammingDistance("ffffffffffffffff", "0000000000000000")).toBe(64);
  });
});
