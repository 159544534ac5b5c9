import { isIP } from "node:net";

/** "::ffff:192.0.2.1" is the IPv4 client 192.0.2.1 on a dual-stack socket. */
function plainAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1]! : address.toLowerCase();
}

/**
 * The client's address, for rate limits and the consent record: the socket's peer, or, when
 * the server sits behind a trusted reverse proxy, the last address of X-Forwarded-For (the
 * one the proxy itself added; earlier entries are whatever the client claimed).
 */
export function clientAddress(
  remoteAddress: string | undefined,
  forwardedFor: string | string[] | undefined,
  trustProxy: boolean,
): string {
  if (trustProxy && forwardedFor !== undefined) {
    const joined = Array.isArray(forwardedFor) ? forwardedFor.join(",") : forwardedFor;
    const last = joined.split(",").at(-1)?.trim() ?? "";
    // A port or brackets may come with it ("[2001:db8::1]:443", "192.0.2.1:8080").
    const bare = last
      .replace(/^\[([^\]]+)\](:\d+)?$/, "$1")
      .replace(/^(\d+\.\d+\.\d+\.\d+):\d+$/, "$1");
    if (isIP(bare)) return plainAddress(bare);
  }
  return remoteAddress ? plainAddress(remoteAddress) : "unknown";
}
