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
  /** Media RSS media:content, attributes as written. */
  media: Record<string, string>[];
  links: { rel: string | null; href: string | null; type: string | null }[];
  author: string | null;
  language: string | null;
}

// Debian's feedparser lives in /usr/bin/python3's dist-packages; a python3 earlier on PATH
// may not see it. HTML-typed text is unescaped, as a reader displays it.
const FEEDPARSER_SCRIPT = `
import sys, json, calendar, datetime, html, base64
try:
    import feedparser
except ImportError as error:
    print("feedparser missing: %s" % error, file=sys.stderr)
    sys.exit(3)
def iso(t):
    if t is None: return None
    return datetime.datetime.fromtimestamp(calendar.timegm(t), datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
def shown(o, key):
    detail = o.get(key + "_detail")
    if detail is None: return o.get(key)
    return html.unescape(detail["value"]) if detail.get("type") == "text/html" else detail["value"]
def links(o):
    return [{"rel": l.get("rel"), "href": l.get("href"), "type": l.get("type")} for l in o.get("links", [])]
def read(raw):
  d = feedparser.parse(raw)
  f = d.feed
  return {
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
    "media": [dict(m) for m in e.get("media_content", [])],
    "links": links(e),
    "author": e.get("author"),
    "language": e.get("language") or (e.get("title_detail") or {}).get("language"),
  } for e in d.entries],
  }
if len(sys.argv) > 1 and sys.argv[1] == "--many":
  docs = json.loads(sys.stdin.buffer.read())
  print(json.dumps([read(base64.b64decode(doc)) for doc in docs], ensure_ascii=False))
else:
  print(json.dumps(read(sys.stdin.buffer.read()), ensure_ascii=False))
`;

/**
 * Parses an RSS or Atom document with Python's feedparser (Debian's python3-feedparser).
 * Throws, never skips, when feedparser is missing. `pythonArgs` exists to test that.
 */
export function parseWithFeedparser(xml: string, pythonArgs: string[] = []): ParsedFeed {
  return JSON.parse(runFeedparser(Buffer.from(xml, "utf8"), pythonArgs, [])) as ParsedFeed;
}

/** Parses many RSS or Atom documents with one feedparser process, in the order given. */
export function parseAllWithFeedparser(xmls: readonly string[]): ParsedFeed[] {
  const input = JSON.stringify(xmls.map((xml) => Buffer.from(xml, "utf8").toString("base64")));
  return JSON.parse(runFeedparser(Buffer.from(input, "utf8"), [], ["--many"])) as ParsedFeed[];
}

function runFeedparser(input: Buffer, pythonArgs: string[], scriptArgs: string[]): string {
  const run = spawnSync(
    "/usr/bin/python3",
    [...pythonArgs, "-c", FEEDPARSER_SCRIPT, ...scriptArgs],
    {
      input,
      encoding: "utf8",
      maxBuffer: 256 * 1024 * 1024,
    },
  );
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
  return run.stdout;
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
      [
        "item",
        "entry",
        "link",
        "atom:link",
        "category",
        "enclosure",
        "media:content",
        "outline",
      ].includes(name),
  });
  return parser.parse(xml) as Record<string, unknown>;
}
