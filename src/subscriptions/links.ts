import type { TokenSigner } from "./tokens.js";

/**
 * The addresses of the subscription pages `warta serve` answers, relative to site.base_url:
 *
 *   subscribe    GET form, POST sign-up (double opt-in: only a confirmation email is sent)
 *   confirm      GET page with a button (link scanners confirm nothing); POST confirms:
 *                subscribe/confirm?token=<confirm token>
 *   preferences  GET form, POST changes: preferences?token=<manage token>
 *   unsubscribe  GET page with a button; POST unsubscribes at once (RFC 8058 one-click):
 *                unsubscribe?token=<manage token>
 *   archive      newsletter/ (every edition), newsletter/<id>/ (an edition's web version)
 */
export const pagePaths = {
  subscribe: "subscribe",
  confirm: "subscribe/confirm",
  preferences: "preferences",
  unsubscribe: "unsubscribe",
  archive: "newsletter/",
} as const;

/** Absolute URL of a page below the site's base URL, with an optional token. */
export function pageUrl(baseUrl: string, page: keyof typeof pagePaths, token?: string): string {
  const url = new URL(pagePaths[page], baseUrl);
  if (token !== undefined) url.searchParams.set("token", token);
  return url.href;
}

/** The web version of an edition. */
export function editionUrl(baseUrl: string, editionId: number): string {
  return new URL(`newsletter/${editionId}/`, baseUrl).href;
}

/** The links every digest carries for its recipient: preferences and one-click unsubscribe. */
export function subscriberLinks(
  baseUrl: string,
  tokens: TokenSigner,
  subscriber: { id: number; email: string },
  now: Date,
): { preferences: string; unsubscribe: string; token: string } {
  const token = tokens.sign("manage", subscriber, now);
  return {
    token,
    preferences: pageUrl(baseUrl, "preferences", token),
    unsubscribe: pageUrl(baseUrl, "unsubscribe", token),
  };
}

/** The link of a confirmation email; it expires after `hours`. */
export function confirmUrl(
  baseUrl: string,
  tokens: TokenSigner,
  subscriber: { id: number; email: string },
  now: Date,
  hours: number,
): string {
  return pageUrl(baseUrl, "confirm", tokens.sign("confirm", subscriber, now, hours * 3600));
}
