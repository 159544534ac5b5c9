const byExtension: Record<string, string> = {
  html: "text/html",
  htm: "text/html",
  xml: "application/xml",
  rss: "application/rss+xml",
  atom: "application/atom+xml",
  json: "application/json",
  opml: "text/x-opml",
  txt: "text/plain",
  css: "text/css",
  js: "text/javascript",
  mjs: "text/javascript",
  xsl: "text/xsl",
  xslt: "text/xsl",
  svg: "image/svg+xml",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  avif: "image/avif",
  ico: "image/x-icon",
  woff2: "font/woff2",
  pdf: "application/pdf",
};

/** Whether a media type is text, and so carries a charset and is worth compressing. */
export function isTextual(mediaType: string): boolean {
  return (
    mediaType.startsWith("text/") ||
    mediaType.endsWith("+xml") ||
    mediaType.endsWith("+json") ||
    mediaType === "application/xml" ||
    mediaType === "application/json"
  );
}

/**
 * The Content-Type of a public file, from its extension; `.xml` and `.json` are ambiguous, so
 * their bytes decide (an RSS, Atom or OPML root element; a JSON Feed `version`). Text types
 * carry `charset=utf-8`: the publisher writes UTF-8 only.
 */
export function contentTypeOf(fileName: string, bytes: Uint8Array): string {
  const dot = fileName.lastIndexOf(".");
  const extension = dot === -1 ? "" : fileName.slice(dot + 1).toLowerCase();
  let mediaType = byExtension[extension] ?? "application/octet-stream";
  if (extension === "xml") mediaType = sniffXml(bytes);
  else if (extension === "json" && isJsonFeed(bytes)) mediaType = "application/feed+json";
  return isTextual(mediaType) ? `${mediaType}; charset=utf-8` : mediaType;
}

const xmlRoots: Record<string, string> = {
  rss: "application/rss+xml",
  "rdf:RDF": "application/rss+xml",
  feed: "application/atom+xml",
  opml: "text/x-opml",
};

/** The media type of an XML document, by the name of its root element. */
function sniffXml(bytes: Uint8Array): string {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 4096))
    .toString("utf8")
    .replace(/^\uFEFF/, "");
  // Skip the declaration, processing instructions (xml-stylesheet), comments and a doctype.
  const prolog = /^(?:\s+|<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>]*>)*<([A-Za-z_][\w.:-]*)/;
  const root = prolog.exec(head)?.[1];
  return (root && xmlRoots[root]) ?? "application/xml";
}

/** Whether a JSON document is a JSON Feed (its `version` is a jsonfeed.org URL). */
function isJsonFeed(bytes: Uint8Array): boolean {
  try {
    const value: unknown = JSON.parse(
      Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("utf8"),
    );
    if (typeof value !== "object" || value === null || !("version" in value)) return false;
    return typeof value.version === "string" && value.version.startsWith("https://jsonfeed.org/");
  } catch {
    return false;
  }
}
