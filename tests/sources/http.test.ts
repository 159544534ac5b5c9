import v8 from "node:v8";
import vm from "node:vm";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { FetcherOptions } from "../../src/sources/http.js";
import { createFetcher, httpStatusOf, retryAfterOf } from "../../src/sources/index.js";
import { type Route, startHttpServer, type TestHttpServer } from "../helpers/http-server.js";

const MiB = 1024 * 1024;
const feedXml =
  '<?xml version="1.0"?><rss version="2.0"><channel><title>Warta</title></channel></rss>';
const userAgent = "warta/0.1.0 (+https://berita.example/)";

const servers: TestHttpServer[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function serve(routes: Record<string, Route>): Promise<TestHttpServer> {
  const server = await startHttpServer(routes);
  servers.push(server);
  return server;
}

function fetcherWith(options: Partial<FetcherOptions> = {}) {
  return createFetcher({
    timeoutMs: 5_000,
    maxBytes: MiB,
    maxRedirects: 5,
    perHost: 2,
    userAgent,
    ...options,
  });
}

type Rejection = Error & { code?: string };

/** Awaits a promise that must reject, and returns what it rejected with. */
async function rejectionOf(promise: Promise<unknown>): Promise<Rejection> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    return error as Rejection;
  }
  throw new Error("expected a rejection");
}

/** Bytes held by the JS heap and by Buffers. */
function memoryInUse(): number {
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

/** Runs Node's gc() (reached without --expose-gc), so that garbage of earlier tests is not measured. */
async function collectGarbage(): Promise<void> {
  v8.setFlagsFromString("--expose-gc");
  const gc = vm.runInNewContext("gc") as () => void;
  gc();
  // Buffers' memory is given back after the collection; a second pass picks up the rest.
  await new Promise((resolve) => setTimeout(resolve, 20));
  gc();
}

/** Runs `work` and returns how far memory in use rose above where it started, at its peak. */
async function peakGrowthDuring(work: () => Promise<unknown>): Promise<number> {
  await collectGarbage();
  const start = memoryInUse();
  let peak = start;
  const sampler = setInterval(() => {
    peak = Math.max(peak, memoryInUse());
  }, 2);
  try {
    await work();
  } finally {
    clearInterval(sampler);
  }
  return Math.max(peak, memoryInUse()) - start;
}

describe("createFetcher: documents and validators", () => {
  it("returns a 200 body with its validators, content type and lower-case headers", async () => {
    const server = await serve({
      "/feed.xml": { kind: "content", body: feedXml, contentType: "application/rss+xml" },
    });
    const result = await fetcherWith().fetch({ url: server.url("/feed.xml") });
    expect(result.status).toBe(200);
    expect(result.notModified).toBe(false);
    expect(result.url).toBe(server.url("/feed.xml"));
    expect(result.body.toString("utf8")).toBe(feedXml);
    expect(result.contentType).toBe("application/rss+xml");
    expect(result.etag).toMatch(/^"[^"]+"$/);
    expect(result.lastModified).toBe("Wed, 01 May 2024 00:00:00 GMT");
    expect(result.headers["content-type"]).toBe("application/rss+xml");
    expect(Object.keys(result.headers).every((name) => name === name.toLowerCase())).toBe(true);
    expect(result.pollFloor).toBeUndefined();
  });

  it("gets a 304 with no body on the second poll when it sends the stored ETag", async () => {
    const server = await serve({ "/feed.xml": { kind: "content", body: feedXml } });
    const fetcher = fetcherWith();
    const first = await fetcher.fetch({ url: server.url("/feed.xml") });
    const second = await fetcher.fetch({ url: server.url("/feed.xml"), etag: first.etag });
    expect(second.status).toBe(304);
    expect(second.notModified).toBe(true);
    expect(second.body.length).toBe(0);
    expect(second.etag).toBe(first.etag);
    expect(server.statuses("/feed.xml")).toEqual([200, 304]);
    expect(server.requests[1]?.headers["if-none-match"]).toBe(first.etag);
  });

  it("gets a 304 from Last-Modified alone when the server sends no ETag", async () => {
    const server = await serve({ "/feed.xml": { kind: "content", body: feedXml, etag: false } });
    const fetcher = fetcherWith();
    const first = await fetcher.fetch({ url: server.url("/feed.xml") });
    expect(first.etag).toBeUndefined();
    const second = await fetcher.fetch({
      url: server.url("/feed.xml"),
      lastModified: first.lastModified,
    });
    expect(second.notModified).toBe(true);
    expect(second.lastModified).toBe(first.lastModified);
    expect(server.requests[1]?.headers["if-modified-since"]).toBe(first.lastModified);
    expect(server.statuses("/feed.xml")).toEqual([200, 304]);
  });

  it("gets the new document with a new ETag once it has changed", async () => {
    const server = await serve({ "/feed.xml": { kind: "content", body: feedXml } });
    const fetcher = fetcherWith();
    const first = await fetcher.fetch({ url: server.url("/feed.xml") });
    server.setRoute("/feed.xml", { kind: "content", body: `${feedXml}\n` });
    const second = await fetcher.fetch({ url: server.url("/feed.xml"), etag: first.etag });
    expect(second.status).toBe(200);
    expect(second.etag).not.toBe(first.etag);
    expect(second.body.toString("utf8")).toBe(`${feedXml}\n`);
  });

  it.each(["gzip", "deflate", "br"] as const)("decodes a %s body", async (encoding) => {
    const text = "Berita hari ini. ".repeat(500);
    const server = await serve({ "/page": { kind: "content", body: text, encoding } });
    const result = await fetcherWith().fetch({ url: server.url("/page") });
    expect(result.headers["content-encoding"]).toBe(encoding);
    expect(result.body.toString("utf8")).toBe(text);
  });

  it("sends its User-Agent, Accept-Encoding and the default Accept", async () => {
    const server = await serve({ "/feed.xml": { kind: "content", body: feedXml } });
    await fetcherWith().fetch({ url: server.url("/feed.xml") });
    const headers = server.requests[0]?.headers;
    expect(headers?.["user-agent"]).toBe(userAgent);
    expect(headers?.["accept-encoding"]).toBe("gzip, deflate, br");
    expect(headers?.accept).toBe("*/*");
  });

  it("sends the Accept header the request asks for", async () => {
    const server = await serve({ "/feed.xml": { kind: "content", body: feedXml } });
    const accept = "application/rss+xml, application/atom+xml;q=0.9";
    await fetcherWith().fetch({ url: server.url("/feed.xml"), accept });
    expect(server.requests[0]?.headers.accept).toBe(accept);
  });
});

describe("createFetcher: poll floor", () => {
  it("takes the poll floor from Cache-Control max-age", async () => {
    const server = await serve({
      "/feed.xml": {
        kind: "content",
        body: feedXml,
        headers: { "cache-control": "public, max-age=900" },
      },
    });
    const result = await fetcherWith().fetch({ url: server.url("/feed.xml") });
    expect(result.pollFloor).toBe(900);
  });

  it("takes the poll floor from s-maxage when there is no max-age", async () => {
    const server = await serve({
      "/feed.xml": { kind: "content", body: feedXml, headers: { "cache-control": "s-maxage=120" } },
    });
    const result = await fetcherWith().fetch({ url: server.url("/feed.xml") });
    expect(result.pollFloor).toBe(120);
  });

  it("takes the poll floor from Retry-After on a 200", async () => {
    const server = await serve({
      "/feed.xml": { kind: "content", body: feedXml, headers: { "retry-after": "3600" } },
    });
    const result = await fetcherWith().fetch({ url: server.url("/feed.xml") });
    expect(result.pollFloor).toBe(3600);
  });

  it("keeps the poll floor on a 304", async () => {
    const server = await serve({
      "/feed.xml": { kind: "content", body: feedXml, headers: { "cache-control": "max-age=60" } },
    });
    const fetcher = fetcherWith();
    const first = await fetcher.fetch({ url: server.url("/feed.xml") });
    const second = await fetcher.fetch({ url: server.url("/feed.xml"), etag: first.etag });
    expect(second.notModified).toBe(true);
    expect(second.pollFloor).toBe(60);
  });
});

describe("createFetcher: redirects and schemes", () => {
  it("follows a chain of absolute and relative redirects and reports the final URL", async () => {
    const server = await serve({
      "/old": { kind: "redirect", status: 301, location: "/dir/b" },
      "/dir/b": { kind: "redirect", status: 302, location: "c" },
      "/dir/c": { kind: "redirect", status: 307, location: "../feed.xml" },
      "/feed.xml": { kind: "content", body: feedXml },
    });
    const result = await fetcherWith().fetch({ url: server.url("/old") });
    expect(result.url).toBe(server.url("/feed.xml"));
    expect(result.body.toString("utf8")).toBe(feedXml);
    expect(server.requests.map((r) => r.path)).toEqual(["/old", "/dir/b", "/dir/c", "/feed.xml"]);
  });

  it("follows a 308 to another server", async () => {
    const target = await serve({ "/feed.xml": { kind: "content", body: feedXml } });
    const server = await serve({
      "/feed": { kind: "redirect", status: 308, location: target.url("/feed.xml") },
    });
    const result = await fetcherWith().fetch({ url: server.url("/feed") });
    expect(result.url).toBe(target.url("/feed.xml"));
  });

  it("gives up on a redirect loop with FETCH_TOO_MANY_REDIRECTS", async () => {
    const server = await serve({
      "/x": { kind: "redirect", location: "/y" },
      "/y": { kind: "redirect", location: "/x" },
    });
    const error = await rejectionOf(
      fetcherWith({ maxRedirects: 5 }).fetch({ url: server.url("/x") }),
    );
    expect(error.code).toBe("FETCH_TOO_MANY_REDIRECTS");
    expect(server.requests).toHaveLength(6);
  });

  it("follows no redirect at all when maxRedirects is 0", async () => {
    const server = await serve({
      "/old": { kind: "redirect", location: "/feed.xml" },
      "/feed.xml": { kind: "content", body: feedXml },
    });
    const error = await rejectionOf(
      fetcherWith({ maxRedirects: 0 }).fetch({ url: server.url("/old") }),
    );
    expect(error.code).toBe("FETCH_TOO_MANY_REDIRECTS");
    expect(server.count("/feed.xml")).toBe(0);
  });

  it("refuses a redirect to a file: URL with FETCH_SCHEME", async () => {
    const server = await serve({ "/feed": { kind: "redirect", location: "file:///etc/passwd" } });
    const error = await rejectionOf(fetcherWith().fetch({ url: server.url("/feed") }));
    expect(error.code).toBe("FETCH_SCHEME");
  });

  it.each([
    ["file:///etc/passwd"],
    ["ftp://ftp.example.org/feed.xml"],
    ["data:text/xml,<rss/>"],
    ["javascript:alert(1)"],
    ["not a url"],
  ])("refuses to fetch %s with FETCH_SCHEME", async (url) => {
    const error = await rejectionOf(fetcherWith().fetch({ url }));
    expect(error.code).toBe("FETCH_SCHEME");
  });
});

describe("createFetcher: deadline", () => {
  it("cuts off a body that drips forever at the deadline with FETCH_TIMEOUT", async () => {
    const server = await serve({ "/drip": { kind: "drip", chunk: "<", intervalMs: 50 } });
    const error = await rejectionOf(
      fetcherWith({ timeoutMs: 500 }).fetch({ url: server.url("/drip") }),
    );
    expect(error.code).toBe("FETCH_TIMEOUT");
    expect(error.message).toContain(server.url("/drip"));
    // The connection is dropped, so the server stops dripping.
    await vi.waitFor(() => expect(server.inFlight).toBe(0));
  });

  it("cuts off a server that is slow to send headers with FETCH_TIMEOUT", async () => {
    const server = await serve({ "/slow": { kind: "content", body: feedXml, delayMs: 30_000 } });
    const error = await rejectionOf(
      fetcherWith({ timeoutMs: 300 }).fetch({ url: server.url("/slow") }),
    );
    expect(error.code).toBe("FETCH_TIMEOUT");
    await vi.waitFor(() => expect(server.inFlight).toBe(0));
  });

  it("does not count time spent waiting for a busy host against the deadline", async () => {
    const server = await serve({ "/slow": { kind: "content", body: "ok", delayMs: 300 } });
    const fetcher = fetcherWith({ perHost: 1, timeoutMs: 1_000 });
    // The last of five waits about 1.2 s in the queue, but each takes only 0.3 s on the wire.
    const results = await Promise.all(
      [1, 2, 3, 4, 5].map(() => fetcher.fetch({ url: server.url("/slow") })),
    );
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
  });
});

describe("createFetcher: size cap", () => {
  it("rejects a Content-Length over the cap before reading the body", async () => {
    const server = await serve({ "/big": { kind: "large", bytes: 10 * MiB } });
    const error = await rejectionOf(
      fetcherWith({ maxBytes: MiB }).fetch({ url: server.url("/big") }),
    );
    expect(error.code).toBe("FETCH_TOO_LARGE");
    expect(error.message).toContain(server.url("/big"));
    expect(error.message).toContain(String(MiB));
  });

  it("stops a chunked body as soon as it grows past the cap", async () => {
    const server = await serve({
      "/big": { kind: "large", bytes: 10 * MiB, contentLength: false },
    });
    const error = await rejectionOf(
      fetcherWith({ maxBytes: MiB }).fetch({ url: server.url("/big") }),
    );
    expect(error.code).toBe("FETCH_TOO_LARGE");
    expect(error.message).toContain(String(MiB));
    await vi.waitFor(() => expect(server.inFlight).toBe(0));
  });

  it("accepts a body of exactly the cap", async () => {
    const server = await serve({
      "/exact": { kind: "large", bytes: 64 * 1024, contentLength: false },
    });
    const result = await fetcherWith({ maxBytes: 64 * 1024 }).fetch({ url: server.url("/exact") });
    expect(result.body.length).toBe(64 * 1024);
  });

  it("stops a gzip bomb at the cap on decoded bytes", async () => {
    const server = await serve({ "/bomb.xml": { kind: "gzip-bomb", decodedBytes: 1024 * MiB } });
    const fetcher = fetcherWith({ maxBytes: MiB });
    let error: Rejection = new Error("not run");
    const growth = await peakGrowthDuring(async () => {
      error = await rejectionOf(fetcher.fetch({ url: server.url("/bomb.xml") }));
    });
    expect(error.code).toBe("FETCH_TOO_LARGE");
    expect(growth).toBeLessThan(50 * MiB);
  });

  it("streams a 200 MB body under a 1 MB cap without buffering it", async () => {
    const server = await serve({
      "/huge": { kind: "large", bytes: 200 * MiB, contentLength: false },
    });
    const fetcher = fetcherWith({ maxBytes: MiB });
    let error: Rejection = new Error("not run");
    const growth = await peakGrowthDuring(async () => {
      error = await rejectionOf(fetcher.fetch({ url: server.url("/huge") }));
    });
    expect(error.code).toBe("FETCH_TOO_LARGE");
    expect(growth).toBeLessThan(50 * MiB);
  });
});

describe("createFetcher: failures", () => {
  it("reports a 503 with FETCH_HTTP_STATUS and exposes Retry-After: 120", async () => {
    const server = await serve({ "/feed.xml": { kind: "status", status: 503, retryAfter: 120 } });
    const error = await rejectionOf(fetcherWith().fetch({ url: server.url("/feed.xml") }));
    expect(error.code).toBe("FETCH_HTTP_STATUS");
    expect(error.message).toBe(`fetch: ${server.url("/feed.xml")}: HTTP 503`);
    expect(retryAfterOf(error)).toBe(120);
    expect(httpStatusOf(error)).toBe(503);
  });

  it("reads a Retry-After HTTP-date on a 429 against the injected clock", async () => {
    const now = new Date("2025-03-01T08:00:00Z");
    const server = await serve({
      "/feed.xml": {
        kind: "status",
        status: 429,
        retryAfter: new Date(now.getTime() + 90_000).toUTCString(),
      },
    });
    const error = await rejectionOf(
      fetcherWith({ now: () => now }).fetch({ url: server.url("/feed.xml") }),
    );
    expect(httpStatusOf(error)).toBe(429);
    expect(retryAfterOf(error)).toBe(90);
  });

  it("reports a 404 with its status and no Retry-After", async () => {
    const server = await serve({});
    const error = await rejectionOf(fetcherWith().fetch({ url: server.url("/missing.xml") }));
    expect(error.code).toBe("FETCH_HTTP_STATUS");
    expect(httpStatusOf(error)).toBe(404);
    expect(retryAfterOf(error)).toBeUndefined();
  });

  it("reports a refused connection with FETCH_NETWORK, naming the URL and ECONNREFUSED", async () => {
    const closed = await startHttpServer({});
    const url = closed.url("/feed.xml");
    await closed.close();
    const error = await rejectionOf(fetcherWith().fetch({ url }));
    expect(error.code).toBe("FETCH_NETWORK");
    expect(error.message).toContain(url);
    expect(error.message).toContain("ECONNREFUSED");
    expect((error.cause as { code?: string }).code).toBe("ECONNREFUSED");
  });

  it("reports a connection dropped mid-body with FETCH_NETWORK", async () => {
    const server = await serve({ "/feed.xml": { kind: "reset", afterBytes: 4096 } });
    const error = await rejectionOf(fetcherWith().fetch({ url: server.url("/feed.xml") }));
    expect(error.code).toBe("FETCH_NETWORK");
    expect(error.cause).toBeInstanceOf(Error);
  });

  it("reports a connection dropped before any answer with FETCH_NETWORK", async () => {
    const server = await serve({ "/feed.xml": { kind: "reset" } });
    const error = await rejectionOf(fetcherWith().fetch({ url: server.url("/feed.xml") }));
    expect(error.code).toBe("FETCH_NETWORK");
  });

  it("reports a body that is not the gzip it claims to be with FETCH_NETWORK", async () => {
    const server = await serve({
      "/feed.xml": {
        kind: "handler",
        handle: (_request, response) => {
          response.writeHead(200, { "content-encoding": "gzip" }).end(feedXml);
        },
      },
    });
    const error = await rejectionOf(fetcherWith().fetch({ url: server.url("/feed.xml") }));
    expect(error.code).toBe("FETCH_NETWORK");
    expect(error.message).toContain("decode");
  });

  it("refuses a Content-Encoding it did not ask for, and drops the connection", async () => {
    const server = await serve({
      "/feed.xml": {
        kind: "handler",
        handle: (_request, response) => {
          response.writeHead(200, { "content-encoding": "zstd" });
          response.flushHeaders();
        },
      },
    });
    const error = await rejectionOf(fetcherWith().fetch({ url: server.url("/feed.xml") }));
    expect(error.code).toBe("FETCH_NETWORK");
    expect(error.message).toContain("zstd");
    await vi.waitFor(() => expect(server.inFlight).toBe(0));
  });

  it("reports a failed TLS handshake with FETCH_NETWORK", async () => {
    const server = await serve({ "/feed.xml": { kind: "content", body: feedXml } });
    const url = `https://127.0.0.1:${server.port}/feed.xml`;
    const error = await rejectionOf(fetcherWith().fetch({ url }));
    expect(error.code).toBe("FETCH_NETWORK");
    expect(error.message).toContain("TLS");
    expect(error.cause).toBeInstanceOf(Error);
  });
});

describe("createFetcher: per-host limit", () => {
  it("keeps at most perHost requests in flight to one host while another host is not held up", async () => {
    const busy = await serve({ "/slow": { kind: "content", body: "ok", delayMs: 300 } });
    const other = await serve({ "/fast": { kind: "content", body: "ok" } });
    const fetcher = fetcherWith({ perHost: 2 });
    const finished: string[] = [];
    const slow = Array.from({ length: 6 }, (_, i) =>
      fetcher.fetch({ url: busy.url(`/slow?i=${i}`) }).then(() => finished.push(`busy-${i}`)),
    );
    // Same address, another port: host:port is the key, so this one goes straight out.
    const fast = fetcher.fetch({ url: other.url("/fast") }).then(() => finished.push("other"));
    await Promise.all([...slow, fast]);
    expect(busy.count("/slow")).toBe(6);
    expect(busy.maxInFlight).toBe(2);
    expect(finished[0]).toBe("other");
  });

  it("lets waiting requests to one host go in the order they were made", async () => {
    const paths = ["/q0", "/q1", "/q2", "/q3", "/q4"];
    const server = await serve(
      Object.fromEntries(paths.map((path) => [path, { kind: "content", body: path, delayMs: 20 }])),
    );
    const fetcher = fetcherWith({ perHost: 1 });
    await Promise.all(paths.map((path) => fetcher.fetch({ url: server.url(path) })));
    expect(server.requests.map((r) => r.path)).toEqual(paths);
    expect(server.maxInFlight).toBe(1);
  });

  it("frees the slot of a failed request", async () => {
    const server = await serve({
      "/down": { kind: "status", status: 500 },
      "/feed.xml": { kind: "content", body: feedXml },
    });
    const fetcher = fetcherWith({ perHost: 1 });
    await rejectionOf(fetcher.fetch({ url: server.url("/down") }));
    const result = await fetcher.fetch({ url: server.url("/feed.xml") });
    expect(result.status).toBe(200);
  });
});
