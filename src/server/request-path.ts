import { RequestError } from "./errors.js";

/** The path of a request target: the query is dropped, absolute-form loses its scheme and host. */
export function requestPathname(target: string): string {
  let rest = target;
  const absolute = /^https?:\/\/[^/?#]*/i.exec(rest);
  if (absolute) rest = rest.slice(absolute[0].length) || "/";
  const query = rest.indexOf("?");
  if (query !== -1) rest = rest.slice(0, query);
  if (!rest.startsWith("/")) {
    throw new RequestError("bad-request", `server: not a path: ${JSON.stringify(target)}`);
  }
  return rest;
}

/**
 * The file a request path names inside the public folder, as decoded segments (a path ending
 * in `/` names its `index.html`). Each segment is decoded exactly once and then checked, so
 * that neither `..`, `%2e%2e` nor `..%2f` can climb out and a double-encoded `%252e%252e` stays
 * a literal (absent) name. Hidden names and the publisher's `*.tmp` files are never served.
 *
 * @example publicSegments("/feeds/") // ["feeds", "index.html"]
 */
export function publicSegments(pathname: string): string[] {
  const raw = pathname.split("/");
  // pathname starts with "/", so raw[0] is the empty string before it.
  raw.shift();
  const segments: string[] = [];
  for (let i = 0; i < raw.length; i += 1) {
    const encoded = raw[i]!;
    if (encoded === "" && i === raw.length - 1) {
      segments.push("index.html");
      break;
    }
    let segment: string;
    try {
      segment = decodeURIComponent(encoded);
    } catch (cause) {
      throw new RequestError("bad-request", `server: malformed percent-encoding in ${pathname}`, {
        cause,
      });
    }
    if (!isServableName(segment)) {
      throw new RequestError("not-found", `server: refused path ${JSON.stringify(pathname)}`);
    }
    segments.push(segment);
  }
  return segments;
}

/** Whether one decoded path segment may name something in the public folder. */
function isServableName(segment: string): boolean {
  return (
    segment !== "" &&
    // Covers "." and "..", and hidden files such as .git or .htaccess.
    !segment.startsWith(".") &&
    !segment.endsWith(".tmp") &&
    !segment.includes("/") &&
    !segment.includes("\\") &&
    !segment.includes("\0")
  );
}
