/** A request as the server sees it, whichever transport carried it. */
export interface ServerRequest {
  method: string;
  /** The request target as sent, not decoded: origin-form (`/a/b?q`) or absolute-form. */
  target: string;
  /** Header fields by lower-case name, as Node's IncomingMessage gives them. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** A complete answer: status, header fields (lower-case names) and the bytes of the body. */
export interface ServerResponse {
  status: number;
  headers: Readonly<Record<string, string>>;
  /** null for HEAD, 204 and 304 (Content-Length still tells the size a GET would get). */
  body: Uint8Array | null;
}
