/** Why a request body was refused. */
export class BodyError extends Error {
  override readonly name = "BodyError";
  constructor(
    readonly reason: "too-large" | "unsupported-type",
    message: string,
  ) {
    super(message);
  }
}

/** Largest form body accepted, in bytes: a subscription form is a few hundred. */
export const maxFormBytes = 16 * 1024;

/**
 * Reads a request body, refusing it (BodyError too-large) past `limit` bytes: at once when
 * Content-Length says so, else as soon as the bytes read pass it. The stream is not destroyed
 * on refusal, so that the 413 can still reach the client; the server drops the rest.
 */
export async function readBody(
  body: AsyncIterable<Uint8Array> | undefined,
  contentLength: string | undefined,
  limit = maxFormBytes,
): Promise<Buffer> {
  if (contentLength !== undefined && Number(contentLength) > limit) {
    throw new BodyError("too-large", `web: a body of ${contentLength} bytes is over ${limit}`);
  }
  if (!body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  // Stepping the iterator by hand: leaving a for-await loop early would destroy the socket.
  const iterator = body[Symbol.asyncIterator]();
  for (;;) {
    const { value, done } = await iterator.next();
    if (done) break;
    size += value.byteLength;
    if (size > limit) throw new BodyError("too-large", `web: the body is over ${limit} bytes`);
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks);
}

/**
 * The fields of a form body. Only application/x-www-form-urlencoded is read (what an HTML form
 * without files sends); a missing Content-Type is read the same way.
 */
export function parseForm(bytes: Buffer, contentType: string | undefined): URLSearchParams {
  const type = contentType?.split(";")[0]?.trim().toLowerCase();
  if (type !== undefined && type !== "" && type !== "application/x-www-form-urlencoded") {
    throw new BodyError("unsupported-type", `web: cannot read a ${type} body`);
  }
  return new URLSearchParams(bytes.toString("utf8"));
}
