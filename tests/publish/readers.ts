import { spawnSync } from "node:child_process";
import { XMLParser, XMLValidator } from "fast-xml-parser";

/** What feedparser saw in a feed, reduced to what a reader shows. */
export interface ParsedFeed {
  bozo: number;
  bozoException: string | null;
  version: string;
  feed: {
    title: string | null;
    language: string | null;
    link: string | null;
    id: string | null;
    updated: string | null;
    author: string | null;
    links: { rel: string | null; href: string | null; type: string | null }[];
  };
  entries: ParsedEntry[];
}

export interface ParsedEntry {
  id: string | null;
  title: string | null;
  link: string | null;
  published: string | null;
  updated: string | null;
  summary: string | null;
  content: string[];
  tags: { term: string | null; label: string | null }[];
  enclosures: { href: string | null; type: string | null; length: string | null }[];
  author: string | null;
  language: string | null;
}

// Debian's feedparser lives in /usr/bin/python3's dist-packages; a python3 earlier on PATH
// may not see it. HTML-typed text is unescaped, as a reader displays it.
const FEEDPARSER_SCRIPT = `
import sys, json, calendar, datetime, html
try:
    import feedparser
except ImportError as error:
    print("feedparser missing: %s" % error, file=sys.stderr)
    sys.exit(3)
d = feedparser.parse(sys.stdin.buffer.read())
def iso(t):
    if t is None: return None
    return datetime.datetime.fromtimestamp(calendar.timegm(t), datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
def shown(o, key):
    detail = o.get(key + "_detail")
    if detail is None: return o.get(key)
    return html.unescape(detail["value"]) if detail.get("type") == "text/html" else detail["value"]
def links(o):
    return [{"rel": l.get("rel"), "href": l.get("href"), "type": l.get("type")} for l in o.get("links", [])]
f = d.feed
print(json.dumps({
  "bozo": int(bool(d.bozo)),
  "bozoException": str(d.get("bozo_exception")) if d.bozo else None,
  "version": d.version,
  "feed": {"title": shown(f, "title"), "language": f.get("language"), "link": f.get("link"),
           "id": f.get("id"), "updated": iso(f.get("updated_parsed")), "author": f.get("author"),
           "links": links(f)},
  "entries": [{
    "id": e.get("id"), "title": shown(e, "title"), "link": e.get("link"),
    "published": iso(e.get("published_parsed")),
    "updated": iso(e["updated_parsed"]) if "updated_parsed" in e.keys() else None,
    "summary": shown(e, "summary"),
    "content": [c.get("value") for c in e.get("content", [])],
    "tags": [{"term": t.get("term"), "label": t.get("label")} for t in e.get("tags", [])],
    "enclosures": [{"href": x.get("href"), "type": x.get("type"), "length": x.get("length")} for x in e.get("enclosures", [])],
    "author": e.get("author"),
    "language": e.get("language") or (e.get("title_detail") or {}).get("language"),
  } for e in d.entries],
}, ensure_ascii=False))
`;

/**
 * Parses an RSS or Atom document with Python's feedparser (Debian's python3-feedparser).
 * Throws, never skips, when feedparser is missing. `pythonArgs` exists to test that.
 */
export function parseWithFeedparser(xml: string, pythonArgs: string[] = []): ParsedFeed {
  const run = spawnSync("/usr/bin/python3", [...pythonArgs, "-c", FEEDPARSER_SCRIPT], {
    input: Buffer.from(xml, "utf8"),
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.error) {
    throw new Error(
      `cannot run /usr/bin/python3 (${run.error.message}): install python3 and python3-feedparser`,
    );
  }
  if (run.status === 3) {
    throw new Error(
      "/usr/bin/python3 has no feedparser module: install it with `apt-get install python3-feedparser`",
    );
  }
  if (run.status !== 0) throw new Error(`feedparser script failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as ParsedFeed;
}

/** Parses XML with fast-xml-parser after checking it is well formed; attributes get an "@_" prefix. */
export function parseXml(xml: string): Record<string, unknown> {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new Error(`not well-formed XML: ${JSON.stringify(valid.err)}`);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: "@_",
    parseAttributeValue: false,
    parseTagValue: false,
    isArray: (name) =>
      ["item", "entry", "link", "atom:link", "category", "enclosure"].includes(name),
  });
  return parser.parse(xml) as Record<string, unknown>;
}
