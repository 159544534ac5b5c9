/** The content codings the server produces, in its order of preference. */
export type Coding = "br" | "gzip" | "identity";

/** Client weights for one Accept-Encoding value; `undefined` where the client said nothing. */
interface Weights {
  br: number | undefined;
  gzip: number | undefined;
  identity: number | undefined;
  any: number | undefined;
}

// Clients send a handful of distinct Accept-Encoding values; parse each once.
const parsed = new Map<string, Weights>();
const parsedLimit = 256;

function parseAcceptEncoding(value: string): Weights {
  const cached = parsed.get(value);
  if (cached) return cached;
  const weights: Weights = { br: undefined, gzip: undefined, identity: undefined, any: undefined };
  for (const member of value.split(",")) {
    const [name = "", ...parameters] = member.split(";");
    const token = name.trim().toLowerCase();
    if (token === "") continue;
    let q = 1;
    for (const parameter of parameters) {
      const match = /^\s*q\s*=\s*([01](?:\.\d{0,3})?)\s*$/i.exec(parameter);
      if (match) q = Math.min(1, Number(match[1]));
      else if (/^\s*q\s*=/i.test(parameter)) q = 0; // an invalid weight accepts nothing
    }
    const key =
      token === "*" ? "any" : token === "x-gzip" ? "gzip" : (token as keyof Weights | string);
    if (key === "br" || key === "gzip" || key === "identity" || key === "any") {
      // The first mention of a coding counts.
      weights[key] ??= q;
    }
  }
  if (parsed.size >= parsedLimit) parsed.clear();
  parsed.set(value, weights);
  return weights;
}

const lowest = 1e-6;

/**
 * The codings an Accept-Encoding value allows, best first (RFC 9110 §12.5.3): the client's
 * weights decide, ties go to br, then gzip, then identity; `q=0` refuses a coding; `*` covers
 * what is not named; identity stays acceptable, last, unless refused by `identity;q=0` or
 * `*;q=0`. No header at all means identity. `available` lists what this file offers.
 *
 * @example acceptableCodings("gzip, br;q=0.5", ["br", "gzip", "identity"]) // ["gzip", "br", "identity"]
 */
export function acceptableCodings(
  header: string | undefined,
  available: readonly Coding[],
): readonly Coding[] {
  if (header === undefined) return available.includes("identity") ? identityOnly : none;
  let answers = decided.get(available);
  if (!answers) {
    answers = new Map();
    decided.set(available, answers);
  }
  let result = answers.get(header);
  if (!result) {
    result = rank(parseAcceptEncoding(header), available);
    if (answers.size >= parsedLimit) answers.clear();
    answers.set(header, result);
  }
  return result;
}

const identityOnly: readonly Coding[] = Object.freeze(["identity"]);
const none: readonly Coding[] = Object.freeze([]);
// Answers by list of available codings (files share a few constant lists) and header value.
const decided = new WeakMap<readonly Coding[], Map<string, readonly Coding[]>>();

function rank(weights: Weights, available: readonly Coding[]): readonly Coding[] {
  const ranked: { coding: Coding; q: number; order: number }[] = [];
  available.forEach((coding, order) => {
    let q = weights[coding] ?? weights.any;
    if (coding === "identity") q = weights.identity ?? (weights.any === 0 ? 0 : lowest);
    if (q !== undefined && q > 0) ranked.push({ coding, q, order });
  });
  ranked.sort((a, b) => b.q - a.q || a.order - b.order);
  return Object.freeze(ranked.map((entry) => entry.coding));
}
