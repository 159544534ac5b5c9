import { constants as fsConstants, type Stats } from "node:fs";
import { type FileHandle, open, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import zlib from "node:zlib";
import type { Logger } from "../shared/logger.js";
import { contentHash } from "./conditional.js";
import { contentTypeOf, isTextual } from "./content-type.js";
import { RequestError } from "./errors.js";
import type { Coding } from "./negotiate.js";
import type { SharedFileVersions } from "./types.js";

const gzip = promisify(zlib.gzip);
const brotliCompress = promisify(zlib.brotliCompress);

/** One encoding of one file version, with the header fields of its 200 and its 304. */
export interface Representation {
  readonly coding: Coding;
  readonly body: Buffer;
  /** Quoted strong entity-tag; compressed bodies get their own (`-gz`, `-br` suffix). */
  readonly etag: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly notModifiedHeaders: Readonly<Record<string, string>>;
}

/** The bytes of a public file as they were when read, and their lazily compressed forms. */
export interface FileVersion {
  readonly contentType: string;
  /** Last-Modified in milliseconds, whole seconds. */
  readonly lastModified: number;
  /** Whether the file is a JSON Feed, which any web page may read (CORS). */
  readonly cors: boolean;
  /** The codings this file can be sent in, the server's preferred first. */
  readonly codings: readonly Coding[];
  /** The file in `coding`, compressed on first use; null when compression does not pay. */
  representation(coding: Coding): Promise<Representation | null>;
  /** The same when already made; undefined while it is not (and starts making it). */
  representationNow(coding: Coding): Representation | null | undefined;
}

/** What a public path names: a file, or a folder (to be asked for with a trailing slash). */
export type Lookup = { kind: "file"; file: FileVersion } | { kind: "directory" };

/** Settings of the file cache. */
export interface FileCacheOptions {
  root: string;
  /** Cache-Control max-age of public files, in seconds. */
  cacheMaxAge: number;
  /** Memory for cached bytes (raw and compressed), all files together. */
  maxBytes: number;
  /**
   * How long a stat result stays trusted, in milliseconds: a new version is served at most
   * this long after it is renamed into place. 0 checks the disk on every request.
   */
  statCacheMs: number;
  /** A monotonic clock in milliseconds. */
  now: () => number;
  logger: Logger;
  /**
   * Where Last-Modified is agreed with the other servers on the store; without it, it is the
   * file's modification time.
   */
  versions?: SharedFileVersions | undefined;
}

// Shared lists: negotiation results are memoised per list.
const compressedCodings: readonly Coding[] = Object.freeze(["br", "gzip", "identity"]);
const identityCoding: readonly Coding[] = Object.freeze(["identity"]);

/** Smallest body worth compressing: below this the coding overhead eats the gain. */
const minCompressible = 256;
/** Largest body compressed with brotli's best (and slowest) quality. */
const brotliBestUpTo = 256 * 1024;

/**
 * Whether two stats describe the same content. A rename puts another inode at the path; a
 * rewrite in place changes the size or the times. Not caught: an inode number freed and
 * reused for a file of the same size within one tick of the file system clock, which needs
 * two writes of one path milliseconds apart (the publisher writes each path once a publish).
 */
function sameVersion(a: Stats, b: Stats): boolean {
  return (
    a.ino === b.ino &&
    a.dev === b.dev &&
    a.size === b.size &&
    a.mtimeMs === b.mtimeMs &&
    a.ctimeMs === b.ctimeMs
  );
}

/** File system failures that mean "there is nothing to serve here". */
const absentCodes = new Set(["ENOENT", "ENOTDIR", "ELOOP", "ENAMETOOLONG", "EISDIR", "EACCES"]);

function translateFsError(error: unknown, file: string): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code && absentCodes.has(code)) {
    return new RequestError("not-found", `server: cannot read ${file}: ${code}`, { cause: error });
  }
  return error;
}

interface CachedFile extends FileVersion {
  readonly stats: Stats;
  bytes: number;
  /** When the disk last confirmed this version (options.now). */
  checkedAt: number;
}

/**
 * The public files in memory, keyed by their decoded path and checked against the disk (one
 * stat, at most every `statCacheMs`): a new version (inode, size, mtime or ctime changed) is
 * read whole, through one file descriptor, so a request racing the publisher's rename gets the
 * old or the new bytes, never a mix. Its gzip and brotli bodies are made once, on first
 * demand. Least recently used files leave when the cache exceeds its memory; a file too big
 * to cache is read per request and sent uncompressed (compressing it per request would cost
 * more than it saves). With `versions`, a version's Last-Modified is the one agreed by every
 * server on the store for its bytes, not this machine's modification time.
 */
export class PublicFileCache {
  private readonly entries = new Map<string, CachedFile>();
  /** The Last-Modified agreed for the version of each path last read (with `versions`). */
  private readonly agreed = new Map<string, { hash: string; lastModified: number }>();
  private readonly pending = new Map<string, Promise<Lookup>>();
  private cachedBytes = 0;
  private readonly root: string;
  private readonly cacheControl: string;

  constructor(private readonly options: FileCacheOptions) {
    this.root = path.resolve(options.root);
    this.cacheControl = `public, max-age=${options.cacheMaxAge}`;
  }

  /** The cached version of `key` (segments joined by "/") if the disk confirmed it lately. */
  fresh(key: string): FileVersion | undefined {
    const cached = this.entries.get(key);
    if (cached && this.options.now() - cached.checkedAt < this.options.statCacheMs) return cached;
    return undefined;
  }

  /** Finds what the decoded path segments name; throws RequestError not-found. */
  async lookup(segments: readonly string[]): Promise<Lookup> {
    const key = segments.join("/");
    const file = path.join(this.root, ...segments);
    // publicSegments already refuses "..": this is a second lock on the same door.
    if (!file.startsWith(this.root + path.sep)) {
      throw new RequestError("not-found", `server: ${file} is outside ${this.root}`);
    }
    // One disk check per path at a time: requests arriving meanwhile share its answer.
    const pending = this.pending.get(key);
    if (pending) return pending;
    const check = this.check(key, file).finally(() => this.pending.delete(key));
    this.pending.set(key, check);
    return check;
  }

  private async check(key: string, file: string): Promise<Lookup> {
    const checkedAt = this.options.now();
    let current: Stats;
    try {
      current = await stat(file);
    } catch (error) {
      this.forget(key);
      throw translateFsError(error, file);
    }
    const cached = this.entries.get(key);
    if (cached && sameVersion(cached.stats, current)) {
      cached.checkedAt = checkedAt;
      // Most recently used goes last: eviction takes from the front.
      this.entries.delete(key);
      this.entries.set(key, cached);
      return { kind: "file", file: cached };
    }
    return this.load(key, file, checkedAt);
  }

  private async load(key: string, file: string, checkedAt: number): Promise<Lookup> {
    let real: string;
    let rootReal: string;
    try {
      rootReal = await realpath(this.root);
      real = await realpath(file);
    } catch (error) {
      throw translateFsError(error, file);
    }
    // A symbolic link may point anywhere: follow it only to a place inside the public folder.
    if (!real.startsWith(rootReal + path.sep)) {
      throw new RequestError("not-found", `server: ${file} leads outside the public folder`);
    }
    let handle: FileHandle;
    try {
      handle = await open(real, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW);
    } catch (error) {
      throw translateFsError(error, file);
    }
    try {
      const read = await readWhole(handle);
      if (read === "directory") return { kind: "directory" };
      if (read === "other") throw new RequestError("not-found", `server: ${file} is not a file`);
      const hash = contentHash(read.bytes);
      const { lastModified, agreed } = await this.lastModifiedOf(key, hash, read.stats);
      const version = this.createVersion(key, read, hash, lastModified, checkedAt);
      // A version whose time could not be agreed is read again (and agreed) next time.
      if (agreed && read.bytes.length <= this.options.maxBytes / 4) this.remember(key, version);
      return { kind: "file", file: version };
    } catch (error) {
      throw translateFsError(error, file);
    } finally {
      await handle.close();
    }
  }

  /**
   * Last-Modified of a version, in whole seconds: its modification time, or, with `versions`,
   * the time the servers on the store agreed for these bytes. If the store cannot be reached,
   * the modification time, not remembered.
   */
  private async lastModifiedOf(
    key: string,
    hash: string,
    stats: Stats,
  ): Promise<{ lastModified: number; agreed: boolean }> {
    const own = wholeSeconds(stats.mtimeMs);
    const { versions } = this.options;
    if (!versions) return { lastModified: own, agreed: true };
    const known = this.agreed.get(key);
    if (known?.hash === hash) return { lastModified: known.lastModified, agreed: true };
    try {
      const previous = known ? new Date(known.lastModified) : undefined;
      const agreed = await versions.agree(key, hash, new Date(own), previous);
      const lastModified = wholeSeconds(agreed.getTime());
      // Clearing when full only costs a store lookup per path read again.
      if (this.agreed.size >= 65_536) this.agreed.clear();
      this.agreed.set(key, { hash, lastModified });
      return { lastModified, agreed: true };
    } catch (error) {
      this.options.logger.warn(
        { err: error, key },
        "server: cannot agree on Last-Modified with the store; using the file's time",
      );
      return { lastModified: own, agreed: false };
    }
  }

  private createVersion(
    key: string,
    read: { stats: Stats; bytes: Buffer },
    hash: string,
    lastModified: number,
    checkedAt: number,
  ): CachedFile {
    const { stats, bytes: raw } = read;
    const contentType = contentTypeOf(path.basename(key), raw);
    const cors = contentType.startsWith("application/feed+json");
    const cacheable = raw.length <= this.options.maxBytes / 4;
    const compressible = cacheable && isTextual(contentType.split(";")[0]!);
    const codings = compressible ? compressedCodings : identityCoding;
    const common: Record<string, string> = {
      "last-modified": new Date(lastModified).toUTCString(),
      "cache-control": this.cacheControl,
    };
    if (compressible) common.vary = "Accept-Encoding";
    if (cors) {
      common["access-control-allow-origin"] = "*";
      common["access-control-expose-headers"] = "ETag";
    }
    const represent = (coding: Coding, body: Buffer): Representation => {
      const etag = `"${hash}${coding === "br" ? "-br" : coding === "gzip" ? "-gz" : ""}"`;
      const notModifiedHeaders = Object.freeze({ etag, ...common });
      const headers: Record<string, string> = {
        "content-type": contentType,
        "content-length": String(body.length),
        etag,
        ...common,
        "x-content-type-options": "nosniff",
      };
      if (coding !== "identity") headers["content-encoding"] = coding;
      return Object.freeze({
        coding,
        body,
        etag,
        headers: Object.freeze(headers),
        notModifiedHeaders,
      });
    };
    const identity = represent("identity", raw);
    // Settled representations, for the synchronous path; promises, for everyone else.
    const made = new Map<Coding, Representation | null>([["identity", identity]]);
    const making = new Map<Coding, Promise<Representation | null>>([
      ["identity", Promise.resolve(identity)],
    ]);
    const version: CachedFile = {
      stats,
      bytes: raw.length,
      checkedAt,
      contentType,
      lastModified,
      cors,
      codings,
      representation: (coding) => {
        let promise = making.get(coding);
        if (!promise) {
          promise = compress(coding, raw).then(
            (body) => {
              if (body === null || body.length >= raw.length) return null;
              version.bytes += body.length;
              if (this.entries.get(key) === version) this.grow(body.length);
              return represent(coding, body);
            },
            (error: unknown) => {
              this.options.logger.warn({ err: error, key, coding }, "server: compression failed");
              return null;
            },
          );
          promise.then((result) => made.set(coding, result));
          making.set(coding, promise);
        }
        return promise;
      },
      representationNow: (coding) => {
        const result = made.get(coding);
        if (result === undefined) void version.representation(coding);
        return result;
      },
    };
    return version;
  }

  private remember(key: string, version: CachedFile) {
    this.forget(key);
    this.entries.set(key, version);
    this.grow(version.bytes);
  }

  private forget(key: string) {
    const old = this.entries.get(key);
    if (!old) return;
    this.entries.delete(key);
    this.cachedBytes -= old.bytes;
  }

  private grow(bytes: number) {
    this.cachedBytes += bytes;
    for (const [key] of this.entries) {
      if (this.cachedBytes <= this.options.maxBytes) break;
      this.forget(key);
    }
  }
}

function wholeSeconds(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

/** Reads a whole regular file through its descriptor, retrying if it changed meanwhile. */
async function readWhole(
  handle: FileHandle,
): Promise<{ stats: Stats; bytes: Buffer } | "directory" | "other"> {
  for (let attempt = 0; ; attempt += 1) {
    const before = await handle.stat();
    if (before.isDirectory()) return "directory";
    if (!before.isFile()) return "other";
    const bytes = Buffer.allocUnsafe(before.size);
    let filled = 0;
    while (filled < bytes.length) {
      const { bytesRead } = await handle.read(bytes, filled, bytes.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    const after = await handle.stat();
    // The publisher renames complete files into place, so this inode never changes; a writer
    // that rewrites in place could still be caught mid-write, hence the check.
    if (filled === bytes.length && sameVersion(before, after)) return { stats: after, bytes };
    if (attempt >= 3) throw new Error("server: the file keeps changing while being read");
  }
}

async function compress(coding: Coding, raw: Buffer): Promise<Buffer | null> {
  if (raw.length < minCompressible) return null;
  if (coding === "gzip") return gzip(raw, { level: zlib.constants.Z_BEST_COMPRESSION });
  if (coding === "br") {
    return brotliCompress(raw, {
      params: {
        [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
        [zlib.constants.BROTLI_PARAM_QUALITY]: raw.length <= brotliBestUpTo ? 11 : 9,
        [zlib.constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
      },
    });
  }
  return null;
}
