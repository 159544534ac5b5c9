/** A request for one remote document. */
export interface FetchRequest {
  url: string;
  /** Validators from the previous successful fetch: a 304 answer costs no parsing. */
  etag?: string;
  lastModified?: string;
  /** Accept header (defaults to anything). */
  accept?: string;
}

/** What a fetch returned. Failures are thrown as AppError with a FETCH_* code. */
export interface FetchResult {
  /** The final URL, after redirects. */
  url: string;
  /** 200 (or another 2xx) with a body, or 304. */
  status: number;
  notModified: boolean;
  /** Response headers, with lower-case names. */
  headers: Record<string, string>;
  /** The body after content decoding (empty on 304). */
  body: Buffer;
  contentType?: string;
  etag?: string;
  lastModified?: string;
  /**
   * Seconds the server asks us to leave before polling again (Retry-After, or Cache-Control
   * max-age), if it said so.
   */
  pollFloor?: number;
}

/** Fetches remote documents politely (limits, validators, per-host concurrency). */
export interface Fetcher {
  fetch(request: FetchRequest): Promise<FetchResult>;
}
