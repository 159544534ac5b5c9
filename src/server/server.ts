import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Logger } from "../shared/logger.js";
import { evaluatePreconditions, parseHttpDate } from "./conditional.js";
import { allowedMethods, RequestError, toErrorResponse } from "./errors.js";
import { type FileVersion, PublicFileCache, type Representation } from "./file-cache.js";
import { acceptableCodings } from "./negotiate.js";
import { publicSegments, requestPathname } from "./request-path.js";
import type { DynamicHandler, ServerRequest, ServerResponse, SharedFileVersions } from "./types.js";

/** What the server needs: the folder it serves, its cache policy and a logger. */
export interface ServerOptions {
  publicDir: string;
  /** Cache-Control max-age of public files, in seconds. */
  cacheMaxAge: number;
  logger: Logger;
  /** Memory for cached files, raw and compressed, in bytes (default 64 MiB). */
  cacheBytes?: number;
  /**
   * How long a file's stat result is trusted, in milliseconds (default 1000): a publish is
   * served at most this long after its rename. 0 checks the disk on every request.
   */
  statCacheMs?: number;
  /** Monotonic clock in milliseconds (default performance.now), replaceable in tests. */
  now?: () => number;
  /** Pages made per request, asked first for the paths they own (any method). */
  dynamic?: DynamicHandler;
  /**
   * Where Last-Modified is agreed with the other servers on the store (default: each file's
   * modification time), so that instances behind one load balancer give the same validators.
   */
  versions?: SharedFileVersions;
}

/** A server bound to a port; `close` stops accepting and waits for open requests. */
export interface ListeningServer {
  port: number;
  host: string;
  /** http://host:port/ with the port actually bound (useful with port 0). */
  url: string;
  close(): Promise<void>;
}

/** The public folder over HTTP: answer requests in-process, or listen on a port. */
export interface PublicServer {
  /** Answers a request whose target is passed as sent (not normalised). */
  respond(request: ServerRequest): Promise<ServerResponse>;
  /** Answers a Fetch API request, as in-process tests do. The URL is already normalised. */
  handle(request: Request): Promise<Response>;
  /** Listens on `port` (0: any free port) at `host`. */
  listen(port: number, host: string): Promise<ListeningServer>;
}

const healthBody = Buffer.from('{"status":"ok"}\n', "utf8");
const healthHeaders = Object.freeze({
  "content-type": "application/json; charset=utf-8",
  "content-length": String(healthBody.length),
  "cache-control": "no-store",
});

/** Headers of a CORS preflight answer for a JSON Feed. */
const preflightHeaders = Object.freeze({
  allow: allowedMethods,
  "access-control-allow-origin": "*",
  "access-control-allow-methods": allowedMethods,
  "access-control-allow-headers": "If-Match, If-None-Match, If-Modified-Since, If-Unmodified-Since",
  "access-control-max-age": "86400",
});
const optionsHeaders = Object.freeze({ allow: allowedMethods });

function header(request: ServerRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
}

/**
 * Creates the server of the public folder: feeds, pages and /healthz, with validators,
 * 304s and gzip/brotli bodies made once per file version.
 *
 * @example
 * const server = createServer({ publicDir: "public", cacheMaxAge: 300, logger });
 * const { url, close } = await server.listen(8080, "127.0.0.1");
 */
export function createServer(options: ServerOptions): PublicServer {
  const logger = options.logger.child({ component: "server" });
  const files = new PublicFileCache({
    root: options.publicDir,
    cacheMaxAge: options.cacheMaxAge,
    maxBytes: options.cacheBytes ?? 64 * 1024 * 1024,
    statCacheMs: options.statCacheMs ?? 1_000,
    now: options.now ?? (() => performance.now()),
    logger,
    versions: options.versions,
  });
  const redirectCacheControl = `public, max-age=${options.cacheMaxAge}`;
  const { dynamic } = options;
  // Request paths already decoded and checked, so that a hit costs one map lookup.
  const checkedPaths = new Map<string, { segments: string[]; key: string }>();

  function checkPath(pathname: string) {
    let checked = checkedPaths.get(pathname);
    if (!checked) {
      const segments = publicSegments(pathname);
      checked = { segments, key: segments.join("/") };
      // Only valid paths are kept; clearing when full bounds the memory odd clients can take.
      if (checkedPaths.size >= 1_024) checkedPaths.clear();
      checkedPaths.set(pathname, checked);
    }
    return checked;
  }

  /**
   * Answers synchronously when it can (a file whose stat is fresh and whose chosen encoding
   * is already made, the usual case), else through the asynchronous path. Every error ends in
   * `toErrorResponse`, the one place that turns errors into statuses.
   */
  function answer(request: ServerRequest): ServerResponse | Promise<ServerResponse> {
    try {
      const { method } = request;
      let dynamicPath: string | undefined;
      if (dynamic !== undefined && request.target !== "*") {
        dynamicPath = requestPathname(request.target);
        if (dynamic.owns(dynamicPath)) {
          return dynamic
            .handle(request, dynamicPath)
            .then((response) => finishDynamic(request, dynamicPath!, response))
            .catch((error: unknown) => toErrorResponse(error, method, logger));
        }
      }
      if (method !== "GET" && method !== "HEAD" && method !== "OPTIONS") {
        throw new RequestError("method-not-allowed", `server: method ${method} is not allowed`);
      }
      if (request.target === "*" && method === "OPTIONS") {
        return { status: 204, headers: optionsHeaders, body: null };
      }
      const pathname = dynamicPath ?? requestPathname(request.target);
      if (pathname === "/healthz") {
        if (method === "OPTIONS") return { status: 204, headers: optionsHeaders, body: null };
        return { status: 200, headers: healthHeaders, body: method === "HEAD" ? null : healthBody };
      }
      const { segments, key } = checkPath(pathname);
      const file = method === "OPTIONS" ? undefined : files.fresh(key);
      if (file) {
        const chosen = selectNow(file, header(request, "accept-encoding"));
        if (chosen) return finish(request, pathname, file, chosen);
      }
      return answerLater(request, pathname, segments).catch((error: unknown) =>
        toErrorResponse(error, request.method, logger),
      );
    } catch (error) {
      return toErrorResponse(error, request.method, logger);
    }
  }

  async function answerLater(
    request: ServerRequest,
    pathname: string,
    segments: readonly string[],
  ): Promise<ServerResponse> {
    const found = await files.lookup(segments);
    if (found.kind === "directory") {
      if (pathname.endsWith("/")) {
        throw new RequestError("not-found", `server: ${pathname}index.html is a folder`);
      }
      // A folder's relative links resolve against its URL with the trailing slash.
      const headers = {
        location: `${pathname}/`,
        "content-length": "0",
        "cache-control": redirectCacheControl,
      };
      return { status: 301, headers, body: null };
    }
    const { file } = found;
    if (request.method === "OPTIONS") {
      return { status: 204, headers: file.cors ? preflightHeaders : optionsHeaders, body: null };
    }
    return finish(request, pathname, file, await select(file, header(request, "accept-encoding")));
  }

  async function respond(request: ServerRequest): Promise<ServerResponse> {
    return answer(request);
  }

  return {
    respond,
    async handle(request) {
      const url = new URL(request.url);
      const headers: Record<string, string> = {};
      request.headers.forEach((value, name) => {
        headers[name] = value;
      });
      const answer = await respond({
        method: request.method,
        target: url.pathname + url.search,
        headers,
        ...(request.body ? { body: request.body } : {}),
      });
      // A copy: the cached bytes must never be handed to a consumer that could detach them.
      const body = answer.body === null ? null : new Uint8Array(answer.body);
      return new Response(body, { status: answer.status, headers: answer.headers });
    },
    listen: (port, host) => listen(answer, port, host, logger),
  };
}

/** The preconditions, then a 304, a 412 (thrown) or the 200 of the chosen representation. */
function finish(
  request: ServerRequest,
  pathname: string,
  file: FileVersion,
  chosen: Representation,
): ServerResponse {
  const precondition = evaluatePreconditions(
    {
      ifMatch: header(request, "if-match"),
      ifNoneMatch: header(request, "if-none-match"),
      ifModifiedSince: header(request, "if-modified-since"),
      ifUnmodifiedSince: header(request, "if-unmodified-since"),
    },
    chosen.etag,
    file.lastModified,
  );
  if (precondition === "failed") {
    throw new RequestError("precondition-failed", `server: ${pathname}: precondition failed`);
  }
  if (precondition === "not-modified") {
    return { status: 304, headers: chosen.notModifiedHeaders, body: null };
  }
  return {
    status: 200,
    headers: chosen.headers,
    body: request.method === "HEAD" ? null : chosen.body,
  };
}

/** Header fields a 304 repeats from the 200 it stands for (RFC 9110 §15.4.5). */
const notModifiedFields = [
  "etag",
  "last-modified",
  "cache-control",
  "expires",
  "vary",
  "content-location",
];

/**
 * The preconditions of a GET or HEAD of a dynamic page that has an entity-tag (a page that is
 * the same for everyone): a 304, a 412 (thrown), or the page as it is.
 */
function finishDynamic(
  request: ServerRequest,
  pathname: string,
  response: ServerResponse,
): ServerResponse {
  const etag = response.headers.etag;
  const { method } = request;
  if (etag === undefined || response.status !== 200 || (method !== "GET" && method !== "HEAD")) {
    return response;
  }
  const modified = response.headers["last-modified"];
  const precondition = evaluatePreconditions(
    {
      ifMatch: header(request, "if-match"),
      ifNoneMatch: header(request, "if-none-match"),
      ifModifiedSince: header(request, "if-modified-since"),
      ifUnmodifiedSince: header(request, "if-unmodified-since"),
    },
    etag,
    modified === undefined ? undefined : parseHttpDate(modified),
  );
  if (precondition === "failed") {
    throw new RequestError("precondition-failed", `server: ${pathname}: precondition failed`);
  }
  if (precondition === "proceed") return response;
  const headers: Record<string, string> = {};
  for (const name of notModifiedFields) {
    const value = response.headers[name];
    if (value !== undefined) headers[name] = value;
  }
  return { status: 304, headers, body: null };
}

/**
 * The best representation the client accepts, if every better one is already made;
 * undefined when one must still be made (the caller then awaits `select`).
 */
function selectNow(file: FileVersion, acceptEncoding: string | undefined) {
  for (const coding of acceptableCodings(acceptEncoding, file.codings)) {
    const representation = file.representationNow(coding);
    if (representation === undefined) return undefined;
    if (representation) return representation;
  }
  return undefined;
}

/** The best representation the client accepts; RequestError not-acceptable if none. */
async function select(file: FileVersion, acceptEncoding: string | undefined) {
  for (const coding of acceptableCodings(acceptEncoding, file.codings)) {
    const representation: Representation | null = await file.representation(coding);
    if (representation) return representation;
  }
  throw new RequestError("not-acceptable", "server: the client refuses every available coding");
}

function listen(
  answer: (request: ServerRequest) => ServerResponse | Promise<ServerResponse>,
  port: number,
  host: string,
  logger: Logger,
): Promise<ListeningServer> {
  const server = http.createServer((req, res) => {
    const send = (response: ServerResponse) => {
      try {
        res.writeHead(response.status, response.headers);
        res.end(response.body ?? undefined);
      } catch (error) {
        // A header Node refuses must not take the process down with it.
        logger.error({ err: error }, "server: cannot send a response");
        res.destroy();
      }
    };
    const response = answer({
      method: req.method ?? "GET",
      target: req.url ?? "/",
      headers: req.headers,
      body: req,
      ...(req.socket.remoteAddress ? { remoteAddress: req.socket.remoteAddress } : {}),
    });
    // Writing in the same tick as the request arrived is markedly faster than after a
    // promise hop, so the synchronous answers are sent at once.
    if (response instanceof Promise) {
      void response.then(send);
    } else {
      send(response);
    }
  });
  return new Promise((resolve, reject) => {
    server.once("error", (error) => {
      reject(
        new Error(`server: cannot listen on ${host}:${port}: ${error.message}`, { cause: error }),
      );
    });
    server.listen(port, host, () => {
      server.removeAllListeners("error");
      server.on("error", (error) => logger.error({ err: error }, "server: error"));
      const bound = (server.address() as AddressInfo).port;
      const shownHost = host.includes(":") ? `[${host}]` : host;
      logger.info({ host, port: bound }, "server: listening");
      resolve({
        port: bound,
        host,
        url: `http://${shownHost}:${bound}/`,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeIdleConnections();
            // Requests still open after a grace period are cut off.
            setTimeout(() => server.closeAllConnections(), 2_000).unref();
          }),
      });
    });
  });
}
