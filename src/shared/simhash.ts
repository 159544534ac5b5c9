/** Number of bits of a fingerprint. */
export const FINGERPRINT_BITS = 64;

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK = (1n << 64n) - 1n;

function fnv1a64(text: string): bigint {
  let hash = FNV_OFFSET;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= BigInt(text.charCodeAt(i));
    hash = (hash * FNV_PRIME) & MASK;
  }
  return hash;
}

/** The lower-case word tokens of a text (Unicode letters and digits). */
export function wordTokens(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/**
 * A 64-bit SimHash of a text's 2-word shingles, as 16 hex digits: texts that share most of
 * their wording get fingerprints a few bits apart. Undefined for texts too short to judge
 * (fewer than `minWords` words), where a match would mean little.
 */
export function simhash(text: string, minWords = 40): string | undefined {
  const words = wordTokens(text);
  if (words.length < minWords) return undefined;
  const weights = new Array<number>(FINGERPRINT_BITS).fill(0);
  for (let i = 0; i + 1 < words.length; i += 1) {
    let hash = fnv1a64(`${words[i]} ${words[i + 1]}`);
    for (let bit = 0; bit < FINGERPRINT_BITS; bit += 1) {
      weights[bit] = (weights[bit] ?? 0) + ((hash & 1n) === 1n ? 1 : -1);
      hash >>= 1n;
    }
  }
  let result = 0n;
  for (let bit = FINGERPRINT_BITS - 1; bit >= 0; bit -= 1) {
    result = (result << 1n) | ((weights[bit] ?? 0) > 0 ? 1n : 0n);
  }
  return result.toString(16).padStart(16, "0");
}

function popcount32(value: number): number {
  let v = value - ((value >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** How many bits two fingerprints differ in. */
export function hammingDistance(a: string, b: string): number {
  const high = Number.parseInt(a.slice(0, 8), 16) ^ Number.parseInt(b.slice(0, 8), 16);
  const low = Number.parseInt(a.slice(8), 16) ^ Number.parseInt(b.slice(8), 16);
  return popcount32(high >>> 0) + popcount32(low >>> 0);
}

/**
 * How much of the shorter text's wording (3-word shingles) also appears in the longer one,
 * from 0 to 1: a republished story with a paragraph cut or a line added stays close to 1.
 */
export function containment(a: string, b: string): number {
  const shingles = (text: string) => {
    const words = wordTokens(text);
    const set = new Set<string>();
    for (let i = 0; i + 2 < words.length; i += 1)
      set.add(`${words[i]} ${words[i + 1]} ${words[i + 2]}`);
    return set;
  };
  const [small, large] = [shingles(a), shingles(b)].sort((x, y) => x.size - y.size) as [
    Set<string>,
    Set<string>,
  ];
  if (small.size === 0) return 0;
  let shared = 0;
  for (const shingle of small) if (large.has(shingle)) shared += 1;
  return shared / small.size;
}
