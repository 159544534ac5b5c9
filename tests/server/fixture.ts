import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createServer, type PublicServer, type ServerOptions } from "../../src/server/index.js";
import { silentLogger } from "../../src/shared/logger.js";

/** The fixed modification time of every fixture file: 2026-11-29 06:00:00 UTC. */
export const MTIME = new Date("2026-11-29T06:00:00Z");
export const MTIME_HTTP = "Sun, 29 Nov 2026 06:00:00 GMT";

function items(count: number, render: (i: number) => string): string {
  return Array.from({ length: count }, (_, i) => render(i)).join("\n");
}

/** An RSS 2.0 feed with `count` items, well over the size worth compressing. */
export function rssFeed(title = "Warta Uji", count = 20): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<?xml-stylesheet href="/feed.xsl" type="text/xsl"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
<title>${title}</title>
<link>https://news.example.org/</link>
<description>Berita terbaru dari Jambi</description>
${items(count, (i) => `<item><title>Berita ${i}: harga beras di pasar Angso Duo naik</title><link>https://news.example.org/berita/${i}</link><guid>https://news.example.org/berita/${i}</guid><pubDate>Sun, 29 Nov 2026 0${i % 6}:00:00 GMT</pubDate><description>Pedagang di pasar Angso Duo mengatakan harga beras naik ${i} persen minggu ini.</description></item>`)}
</channel>
</rss>
`;
}

function atomFeed(): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<!-- written by warta -->
<feed xmlns="http://www.w3.org/2005/Atom">
<title>Warta Uji</title>
<id>https://news.example.org/</id>
<updated>2026-11-29T06:00:00Z</updated>
${items(10, (i) => `<entry><title>Berita ${i}</title><id>https://news.example.org/berita/${i}</id><updated>2026-11-29T0${i % 6}:00:00Z</updated><summary>Ringkasan berita ${i} tentang kota Jambi dan sekitarnya.</summary></entry>`)}
</feed>
`;
}

function jsonFeed(): string {
  return `${JSON.stringify(
    {
      version: "https://jsonfeed.org/version/1.1",
      title: "Warta Uji",
      home_page_url: "https://news.example.org/",
      items: Array.from({ length: 10 }, (_, i) => ({
        id: `https://news.example.org/berita/${i}`,
        title: `Berita ${i}`,
        content_text: `Ringkasan berita ${i} tentang kota Jambi dan sekitarnya.`,
      })),
    },
    null,
    2,
  )}\n`;
}

function opml(): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<opml version="2.0">
  <head><title>Warta Uji: feeds</title></head>
  <body>
    <outline type="rss" text="Warta Uji" xmlUrl="https://news.example.org/feeds/rss.xml"/>
    <outline type="rss" text="Ekonomi" xmlUrl="https://news.example.org/feeds/category/ekonomi/rss.xml"/>
  </body>
</opml>
`;
}

function page(title: string): string {
  return `<!doctype html>
<html lang="id"><head><meta charset="utf-8"><title>${title}</title>
<link rel="alternate" type="application/rss+xml" href="/feeds/rss.xml"></head>
<body><h1>${title}</h1><p>Semua feed Warta Uji: RSS, Atom dan JSON Feed, per kategori dan per bulan.</p></body></html>
`;
}

/** The files a publish leaves in the public folder, by relative path. */
export function publicTree(): Record<string, string> {
  return {
    "index.html": page("Warta Uji"),
    "feeds.opml": opml(),
    "feeds/rss.xml": rssFeed(),
    "feeds/atom.xml": atomFeed(),
    "feeds/feed.json": jsonFeed(),
    "feeds/category/ekonomi/rss.xml": rssFeed("Ekonomi", 5),
    "feeds/category/ekonomi/atom.xml": atomFeed(),
    "feeds/category/ekonomi/feed.json": jsonFeed(),
    "feeds/archive/2026-10.xml": atomFeed(),
    "newsletter/7/index.html": page("Edisi 7"),
    "robots.txt": "User-agent: *\n",
    "feeds/tiny.xml": '<?xml version="1.0"?><rss version="2.0"><channel/></rss>\n',
    "logo.png": "\x89PNG\r\n\x1a\n".padEnd(2_000, "\0"),
  };
}

/** A temporary folder holding `public/` (the tree above) and a secret file beside it. */
export interface PublicFixture {
  /** The folder above public/: it holds secret.txt, which must never be served. */
  root: string;
  publicDir: string;
  secret: string;
  /** Writes (or rewrites) a file under public/ with the fixed mtime unless told otherwise. */
  write(relative: string, body: string | Buffer, mtime?: Date): string;
  remove(): void;
}

/** Creates a fresh public folder for one test. */
export function createPublicFixture(): PublicFixture {
  const root = mkdtempSync(path.join(tmpdir(), "warta-serve-"));
  const publicDir = path.join(root, "public");
  const secret = "TOP-SECRET-do-not-serve\n";
  writeFileSync(path.join(root, "secret.txt"), secret);
  const write = (relative: string, body: string | Buffer, mtime = MTIME) => {
    const file = path.join(publicDir, relative);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, body);
    utimesSync(file, mtime, mtime);
    return file;
  };
  for (const [relative, body] of Object.entries(publicTree())) {
    write(relative, relative.endsWith(".png") ? Buffer.from(body, "latin1") : body);
  }
  return {
    root,
    publicDir,
    secret,
    write,
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** A server of the fixture's public folder that checks the disk on every request. */
export function serverFor(
  fixture: PublicFixture,
  options: Partial<ServerOptions> = {},
): PublicServer {
  return createServer({
    publicDir: fixture.publicDir,
    cacheMaxAge: 300,
    logger: silentLogger(),
    statCacheMs: 0,
    ...options,
  });
}

/** The strong ETag warta gives bytes: their SHA-256, base64url, quoted, with a coding suffix. */
export function expectedEtag(bytes: string | Buffer, suffix = ""): string {
  return `"${createHash("sha256").update(bytes).digest("base64url")}${suffix}"`;
}

/** A GET (or other method) for the in-process Fetch API handler. */
export function request(
  pathname: string,
  headers: Record<string, string> = {},
  method = "GET",
): Request {
  return new Request(`http://warta.test${pathname}`, { method, headers });
}
