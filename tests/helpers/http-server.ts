import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import zlib from "node:zlib";

/** Keys every route shares. */
interface RouteCommon {
  /** Wait this long before sending the status line (a slow server). */
  delayMs?: number;
  /** Extra response headers, e.g. Cache-Control. */
  headers?: Record<string, string>;
}

/** A document with validators: strong ETag, Last-Modified, 304 on a matching conditional GET. */
interface ContentRoute extends RouteCommon {
  kind: "content";
  body: string | Buffer;
  contentType?: string;
  /** Compress when the client accepts it (Vary: Accept-Encoding). */
  encoding?: "gzip" | "deflate" | "br";
  /** Send a strong ETag (default true). */
  etag?: boolean;
  /** Last-Modified; default 2024-05-01T00:00:00Z, false for none. */
  lastModified?: Date | false;
}

/** A file read on each request; Last-Modified is its mtime. */
interface FileRoute extends RouteCommon {
  kind: "file";
  path: string;
  contentType?: string;
  encoding?: "gzip" | "deflate" | "br";
  etag?: boolean;
}

/** A redirect; `location` may be relative ("next", "../b") or absolute. */
interface RedirectRoute extends RouteCommon {
  kind: "redirect";
  location: string;
  status?: 301 | 302 | 303 | 307 | 308;
}

/** A failure status, optionally with Retry-After. */
interface StatusRoute extends RouteCommon {
  kind: "status";
  status: number;
  retryAfter?: number | string;
  body?: string;
}

/** 200 and then one chunk every `intervalMs`, forever, until the client goes away. */
interface DripRoute extends RouteCommon {
  kind: "drip";
  chunk?: string;
  intervalMs?: number;
  contentType?: string;
}

/** Drops the connection: before any answer, or after `afterBytes` of a promised longer body. */
interface ResetRoute extends RouteCommon {
  kind: "reset";
  afterBytes?: number;
}

/** A large body generated on the fly with back-pressure (never held in memory). */
interface LargeRoute extends RouteCommon {
  kind: "large";
  bytes: number;
  /** Declare Content-Length (default true); false sends it chunked. */
  contentLength?: boolean;
  chunkBytes?: number;
  contentType?: string;
}

/** A gzip body that is small on the wire and `decodedBytes` (zeros) once decompressed. */
interface GzipBombRoute extends RouteCommon {
  kind: "gzip-bomb";
  decodedBytes: number;
}

/** Anything else. */
interface HandlerRoute {
  kind: "handler";
  handle: (request: IncomingMessage, response: ServerResponse) => void;
}

/** What the test server does for one path. */
export type Route =
  | ContentRoute
  | FileRoute
  | RedirectRoute
  | StatusRoute
  | DripRoute
  | ResetRoute
  | LargeRoute
  | GzipBombRoute
  | HandlerRoute;

/** One request as the server saw it. */
export interface SeenRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
  /** The status sent (undefined until the answer is sent, or if the connection was dropped). */
  status?: number;
}

/** A real HTTP server on loopback for tests; see `startHttpServer`. */
export interface TestHttpServer {
  /** "http://127.0.0.1:PORT" */
  origin: string;
  port: number;
  /** The absolute URL of a path on this server. */
  url: (path: string) => string;
  /** Adds or replaces a route (e.g. to change a document between two polls). */
  setRoute: (path: string, route: Route) => void;
  /** Every request so far, in arrival order. */
  requests: SeenRequest[];
  /** How many requests asked for `path` (without query). */
  count: (path: string) => number;
  /** Statuses sent for `path`, in order: [200, 304] means the second poll was not modified. */
  statuses: (path: string) => (number | undefined)[];
  /** Requests being answered right now. */
  readonly inFlight: number;
  /** Most requests answered at once since the start (or the last `resetCounts`). */
  readonly maxInFlight: number;
  /** Forgets the requests seen and the in-flight peak. */
  resetCounts: () => void;
  /** Stops listening and destroys every connection, dripping ones included. */
  close: () => Promise<void>;
}

const defaultLastModified = new Date("2024-05-01T00:00:00Z");
const mebibyte = 1024 * 1024;
let bombMember: Buffer | undefined;

/**
 * Starts an HTTP server on a free port of `host` (127.0.0.1 by default) serving `routes`, keyed by
 * path (without query). Unknown paths get 404.
 * @example const server = await startHttpServer({ "/feed.xml": { kind: "content", body: xml } });
 */
export async function startHttpServer(
  routes: Record<string, Route>,
  options: { host?: string } = {},
): Promise<TestHttpServer> {
  const host = options.host ?? "127.0.0.1";
  const table = new Map(Object.entries(routes));
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let requests: SeenRequest[] = [];
  let inFlight = 0;
  let maxInFlight = 0;

  const server = http.createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://test").pathname;
    const seen: SeenRequest = { path, headers: request.headers };
    requests.push(seen);
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    // Timers of this response, cleared when it ends or its client goes away.
    const pending = new Set<NodeJS.Timeout>();
    const track = (timer: NodeJS.Timeout) => {
      timers.add(timer);
      pending.add(timer);
    };
    response.on("close", () => {
      inFlight -= 1;
      for (const timer of pending) {
        clearTimeout(timer);
        clearInterval(timer);
        timers.delete(timer);
      }
    });
    const originalWriteHead = response.writeHead.bind(response);
    response.writeHead = ((status: number, ...rest: unknown[]) => {
      seen.status = status;
      return (originalWriteHead as (...args: unknown[]) => ServerResponse)(status, ...rest);
    }) as typeof response.writeHead;

    const route = table.get(path);
    const answer = () => {
      if (!route) {
        response.writeHead(404, { "content-type": "text/plain" }).end("not found");
        return;
      }
      serve(route, request, response, track);
    };
    const delay = route && route.kind !== "handler" ? route.delayMs : undefined;
    if (delay) track(setTimeout(answer, delay));
    else answer();
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as AddressInfo).port;
  const origin = `http://${host}:${port}`;

  return {
    origin,
    port,
    url: (path) => new URL(path, origin).href,
    setRoute: (path, route) => table.set(path, route),
    get requests() {
      return requests;
    },
    count: (path) => requests.filter((r) => r.path === path).length,
    statuses: (path) => requests.filter((r) => r.path === path).map((r) => r.status),
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    resetCounts: () => {
      requests = [];
      maxInFlight = inFlight;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) {
          clearTimeout(timer);
          clearInterval(timer);
        }
        timers.clear();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

function serve(
  route: Route,
  request: IncomingMessage,
  response: ServerResponse,
  track: (timer: NodeJS.Timeout) => void,
): void {
  const extra = route.kind === "handler" ? {} : (route.headers ?? {});
  switch (route.kind) {
    case "content": {
      serveDocument(request, response, Buffer.from(route.body), {
        contentType: route.contentType ?? "text/plain; charset=utf-8",
        encoding: route.encoding,
        etag: route.etag ?? true,
        lastModified:
          route.lastModified === false ? undefined : (route.lastModified ?? defaultLastModified),
        extra,
      });
      return;
    }
    case "file":
      serveDocument(request, response, readFileSync(route.path), {
        contentType: route.contentType ?? "application/octet-stream",
        encoding: route.encoding,
        etag: route.etag ?? true,
        lastModified: statSync(route.path).mtime,
        extra,
      });
      return;
    case "redirect":
      response.writeHead(route.status ?? 302, { ...extra, location: route.location }).end();
      return;
    case "status": {
      const headers: Record<string, string> = { "content-type": "text/plain", ...extra };
      if (route.retryAfter !== undefined) headers["retry-after"] = String(route.retryAfter);
      response.writeHead(route.status, headers).end(route.body ?? `status ${route.status}`);
      return;
    }
    case "drip": {
      response.writeHead(200, { "content-type": route.contentType ?? "text/plain", ...extra });
      response.flushHeaders();
      track(setInterval(() => response.write(route.chunk ?? "."), route.intervalMs ?? 50));
      return;
    }
    case "reset": {
      if (route.afterBytes === undefined) {
        request.socket.destroy();
        return;
      }
      response.writeHead(200, {
        "content-type": "text/plain",
        "content-length": String(route.afterBytes * 2 + 1),
        ...extra,
      });
      response.write(Buffer.alloc(route.afterBytes, "x"));
      // Give the bytes time to leave before the connection is cut.
      track(setTimeout(() => request.socket.destroy(), 20));
      return;
    }
    case "large": {
      const headers: Record<string, string> = {
        "content-type": route.contentType ?? "application/octet-stream",
        ...extra,
      };
      if (route.contentLength ?? true) headers["content-length"] = String(route.bytes);
      response.writeHead(200, headers);
      const chunk = Buffer.alloc(Math.min(route.chunkBytes ?? 64 * 1024, route.bytes), "a");
      writeRepeatedly(response, route.bytes, (remaining) =>
        remaining >= chunk.length ? chunk : chunk.subarray(0, remaining),
      );
      return;
    }
    case "gzip-bomb": {
      bombMember ??= zlib.gzipSync(Buffer.alloc(mebibyte), { level: 9 });
      const member = bombMember;
      // Concatenated gzip members form one valid gzip stream, so a 1 MiB member repeated
      // gives any decoded size from about 1 KiB per MiB on the wire.
      const members = Math.ceil(route.decodedBytes / mebibyte);
      response.writeHead(200, {
        "content-type": "application/xml",
        "content-encoding": "gzip",
        "content-length": String(members * member.length),
        ...extra,
      });
      writeRepeatedly(response, members * member.length, () => member);
      return;
    }
    case "handler":
      route.handle(request, response);
      return;
  }
}

/** Writes `total` bytes from `next` with back-pressure, stopping when the client goes. */
function writeRepeatedly(
  response: ServerResponse,
  total: number,
  next: (remaining: number) => Buffer,
): void {
  let written = 0;
  const pump = () => {
    while (written < total && !response.destroyed) {
      const chunk = next(total - written);
      written += chunk.length;
      if (!response.write(chunk)) {
        response.once("drain", pump);
        return;
      }
    }
    if (written >= total && !response.destroyed) response.end();
  };
  pump();
}

function serveDocument(
  request: IncomingMessage,
  response: ServerResponse,
  content: Buffer,
  options: {
    contentType: string;
    encoding: "gzip" | "deflate" | "br" | undefined;
    etag: boolean;
    lastModified: Date | undefined;
    extra: Record<string, string>;
  },
): void {
  const accepted = String(request.headers["accept-encoding"] ?? "")
    .split(",")
    .map((coding) => coding.trim().split(";")[0]);
  const encoding =
    options.encoding && accepted.includes(options.encoding) ? options.encoding : undefined;
  const body = encode(content, encoding);
  const headers: Record<string, string> = { ...options.extra };
  // The tag is computed on the bytes sent, so each encoding has its own strong validator.
  const etag = options.etag
    ? `"${createHash("sha256").update(body).digest("base64url").slice(0, 27)}"`
    : undefined;
  if (etag) headers.etag = etag;
  if (options.lastModified) headers["last-modified"] = options.lastModified.toUTCString();
  if (options.encoding) headers.vary = "Accept-Encoding";

  if (isNotModified(request, etag, options.lastModified)) {
    response.writeHead(304, headers).end();
    return;
  }
  headers["content-type"] = options.contentType;
  headers["content-length"] = String(body.length);
  if (encoding) headers["content-encoding"] = encoding;
  response.writeHead(200, headers).end(body);
}

function encode(content: Buffer, encoding: "gzip" | "deflate" | "br" | undefined): Buffer {
  if (encoding === "gzip") return zlib.gzipSync(content);
  if (encoding === "deflate") return zlib.deflateSync(content);
  if (encoding === "br") return zlib.brotliCompressSync(content);
  return content;
}

/** RFC 9110 §13.2.2: If-None-Match wins over If-Modified-Since; weak comparison for GET. */
function isNotModified(
  request: IncomingMessage,
  etag: string | undefined,
  lastModified: Date | undefined,
): boolean {
  const ifNoneMatch = request.headers["if-none-match"];
  if (ifNoneMatch !== undefined) {
    if (ifNoneMatch.trim() === "*") return etag !== undefined;
    const opaque = (tag: string) => tag.trim().replace(/^W\//, "");
    return etag !== undefined && ifNoneMatch.split(",").map(opaque).includes(opaque(etag));
  }
  const ifModifiedSince = request.headers["if-modified-since"];
  if (ifModifiedSince !== undefined && lastModified) {
    const since = Date.parse(ifModifiedSince);
    return !Number.isNaN(since) && Math.floor(lastModified.getTime() / 1000) * 1000 <= since;
  }
  return false;
}
