/** A request as the server sees it, whichever transport carried it. */
export interface ServerRequest {
  method: string;
  /** The request target as sent, not decoded: origin-form (`/a/b?q`) or absolute-form. */
  target: string;
  /** Header fields by lower-case name, as Node's IncomingMessage gives them. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The request body as it arrives, for a dynamic handler that reads one (the static files never do). */
  body?: AsyncIterable<Uint8Array>;
  /** Address of the peer on the other end of the connection, when known. */
  remoteAddress?: string;
}

/** A complete answer: status, header fields (lower-case names) and the bytes of the body. */
export interface ServerResponse {
  status: number;
  headers: Readonly<Record<string, string>>;
  /** null for HEAD, 204 and 304 (Content-Length still tells the size a GET would get). */
  body: Uint8Array | null;
}

/**
 * Pages made per request (the subscription pages), tried before the public folder for the
 * paths they own. Every method reaches `handle`: the handler answers 405 itself.
 */
export interface DynamicHandler {
  /** Whether the handler answers this request path (as sent, not decoded). */
  owns(pathname: string): boolean;
  handle(request: ServerRequest, pathname: string): Promise<ServerResponse>;
}

/**
 * Where the servers on one store agree on the Last-Modified of each version of a public file
 * (`SqlFileVersions`). Every machine publishes its own copy of a file at its own time, so the
 * modification times differ; the first server to see a version records its time for all.
 */
export interface SharedFileVersions {
  /**
   * The agreed modification time of the bytes hashed `hash` (base64url SHA-256) at `path`
   * (relative to the public folder): the one recorded, else `modified`, recorded now.
   * `supersedes` is the time this server gave the path's previous version, if any: the
   * answer is then later than it, even for bytes the path held once before.
   */
  agree(path: string, hash: string, modified: Date, supersedes?: Date): Promise<Date>;
}
