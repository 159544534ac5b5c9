/** Query parameters that only track a click and never change what a page shows. */
const trackingParameters = new Set([
  "fbclid",
  "gclid",
  "dclid",
  "gbraid",
  "wbraid",
  "msclkid",
  "yclid",
  "igshid",
  "mc_cid",
  "mc_eid",
  "_ga",
  "_gl",
  "_hsenc",
  "_hsmi",
  "mkt_tok",
  "oly_anon_id",
  "oly_enc_id",
  "vero_id",
  "wt_mc",
  "cmpid",
  "ref_src",
  "s_cid",
  "spm",
]);

/** Tells whether a query parameter name only tracks a visit (utm_*, fbclid, gclid, ...). */
export function isTrackingParameter(name: string): boolean {
  const lower = name.toLowerCase();
  return lower.startsWith("utm_") || lower.startsWith("pk_") || trackingParameters.has(lower);
}

/**
 * The canonical form of a URL, used to recognise one article under several addresses:
 * lower-case scheme and host, no default port, no fragment, no tracking parameters, the
 * other parameters sorted, and no trailing slash (except for the root path). Returns
 * undefined for text that is not an absolute http(s) URL.
 * @example canonicalizeUrl("HTTPS://News.Example.org:443/a/?utm_source=x#top") // "https://news.example.org/a"
 */
export function canonicalizeUrl(input: string): string | undefined {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    return undefined;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
  // URL already lower-cases scheme and host and drops the scheme's default port.
  url.hash = "";
  url.username = "";
  url.password = "";
  const kept = [...url.searchParams.entries()].filter(([name]) => !isTrackingParameter(name));
  kept.sort(([a, av], [b, bv]) => (a === b ? av.localeCompare(bv) : a.localeCompare(b)));
  url.search = new URLSearchParams(kept).toString();
  if (url.pathname.length > 1) url.pathname = url.pathname.replace(/\/+$/, "") || "/";
  return url.toString();
}
