import { readFileSync } from "node:fs";
import path from "node:path";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { acceptableCodings, type Coding } from "../../src/server/index.js";
import {
  createPublicFixture,
  expectedEtag,
  type PublicFixture,
  publicTree,
  request,
  serverFor,
} from "./fixture.js";

const ALL: readonly Coding[] = ["br", "gzip", "identity"];
const RSS = "/feeds/rss.xml";

describe("Accept-Encoding negotiation", () => {
  it.each([
    [undefined, ["identity"]],
    ["", ["identity"]],
    ["gzip", ["gzip", "identity"]],
    ["gzip, deflate, br", ["br", "gzip", "identity"]],
    ["br;q=0.5, gzip", ["gzip", "br", "identity"]],
    ["gzip;q=0.8, br;q=0.8", ["br", "gzip", "identity"]],
    ["GZIP", ["gzip", "identity"]],
    ["x-gzip", ["gzip", "identity"]],
    ["br;q=0, gzip", ["gzip", "identity"]],
    ["*", ["br", "gzip", "identity"]],
    ["*;q=0.5, gzip", ["gzip", "br", "identity"]],
    ["*;q=0", []],
    ["*;q=0, identity", ["identity"]],
    ["identity;q=0", []],
    ["br, identity;q=0", ["br"]],
    ["identity", ["identity"]],
    ["deflate, compress", ["identity"]],
    ["gzip;q=1.0", ["gzip", "identity"]],
    ["gzip;q=0.000", ["identity"]],
    ["gzip;q=2", ["identity"]],
    ["gzip;q=abc", ["identity"]],
  ])("Accept-Encoding %j allows %j", (header, expected) => {
    expect(acceptableCodings(header, ALL)).toEqual(expected);
  });

  it("offers only what the file has", () => {
    expect(acceptableCodings("br, gzip", ["identity"])).toEqual(["identity"]);
    expect(acceptableCodings("br, identity;q=0", ["identity"])).toEqual([]);
  });
});

describe("compressed responses", () => {
  let fixture: PublicFixture;
  beforeEach(() => {
    fixture = createPublicFixture();
  });
  afterEach(() => fixture.remove());

  const original = () => readFileSync(path.join(fixture.publicDir, "feeds/rss.xml"));

  it("sends brotli to a client that accepts it, decompressing to the file", async () => {
    const response = await serverFor(fixture).handle(
      request(RSS, { "accept-encoding": "gzip, deflate, br" }),
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("content-encoding")).toBe("br");
    expect(response.headers.get("vary")).toBe("Accept-Encoding");
    expect(response.headers.get("content-type")).toBe("application/rss+xml; charset=utf-8");
    const body = Buffer.from(await response.arrayBuffer());
    expect(Number(response.headers.get("content-length"))).toBe(body.length);
    expect(body.length).toBeLessThan(original().length);
    expect(brotliDecompressSync(body).equals(original())).toBe(true);
  });

  it("sends gzip to a client that prefers or only accepts it", async () => {
    const server = serverFor(fixture);
    for (const header of ["gzip", "br;q=0.4, gzip;q=0.9"]) {
      const response = await server.handle(request(RSS, { "accept-encoding": header }));
      expect(response.headers.get("content-encoding")).toBe("gzip");
      const body = Buffer.from(await response.arrayBuffer());
      expect(gunzipSync(body).equals(original())).toBe(true);
    }
  });

  it("sends the file as is without Accept-Encoding, still with Vary", async () => {
    const response = await serverFor(fixture).handle(request(RSS));
    expect(response.headers.get("content-encoding")).toBeNull();
    expect(response.headers.get("vary")).toBe("Accept-Encoding");
    expect(Buffer.from(await response.arrayBuffer()).equals(original())).toBe(true);
  });

  it("answers 406 when the client refuses every coding", async () => {
    const server = serverFor(fixture);
    const response = await server.handle(
      request(RSS, { "accept-encoding": "identity;q=0, *;q=0" }),
    );
    expect(response.status).toBe(406);
  });

  it("tags each coding with its own ETag, and needs the right one for a 304", async () => {
    const server = serverFor(fixture);
    const bytes = publicTree()["feeds/rss.xml"]!;
    const tags: Record<string, string> = {};
    for (const [coding, header] of [
      ["identity", "identity"],
      ["gzip", "gzip"],
      ["br", "br"],
    ] as const) {
      const response = await server.handle(request(RSS, { "accept-encoding": header }));
      tags[coding] = response.headers.get("etag")!;
    }
    expect(tags).toEqual({
      identity: expectedEtag(bytes),
      gzip: expectedEtag(bytes, "-gz"),
      br: expectedEtag(bytes, "-br"),
    });
    // A cache holding the gzip body may not revalidate it as the brotli one, or as identity.
    const brWithGzipTag = await server.handle(
      request(RSS, { "accept-encoding": "br", "if-none-match": tags.gzip! }),
    );
    expect(brWithGzipTag.status).toBe(200);
    expect(brWithGzipTag.headers.get("content-encoding")).toBe("br");
    const identityWithBrTag = await server.handle(request(RSS, { "if-none-match": tags.br! }));
    expect(identityWithBrTag.status).toBe(200);
    const brWithBrTag = await server.handle(
      request(RSS, { "accept-encoding": "br", "if-none-match": tags.br! }),
    );
    expect(brWithBrTag.status).toBe(304);
    expect(brWithBrTag.headers.get("etag")).toBe(tags.br);
    // A list holding the tag of any coding works for the coding it names.
    const listed = await server.handle(
      request(RSS, { "accept-encoding": "gzip", "if-none-match": `${tags.br}, ${tags.gzip}` }),
    );
    expect(listed.status).toBe(304);
  });

  it("compresses once per version: later requests get the very same bytes", async () => {
    const server = serverFor(fixture);
    const ask = (coding: string) =>
      server.respond({ method: "GET", target: RSS, headers: { "accept-encoding": coding } });
    for (const coding of ["br", "gzip", "identity"]) {
      const first = await ask(coding);
      const second = await ask(coding);
      expect(second.body).not.toBeNull();
      // The same object, not equal bytes: nothing was compressed (or read) again.
      expect(second.body).toBe(first.body);
    }
    const before = (await ask("br")).body;
    fixture.write(
      "feeds/rss.xml",
      publicTree()["feeds/rss.xml"]!.replace("Angso Duo", "Talang Banjar"),
    );
    const after = await ask("br");
    expect(after.body).not.toBe(before);
    expect(brotliDecompressSync(after.body!).toString()).toContain("Talang Banjar");
  });

  it("does not compress small files or images", async () => {
    const server = serverFor(fixture);
    const tiny = await server.handle(request("/feeds/tiny.xml", { "accept-encoding": "br, gzip" }));
    expect(tiny.headers.get("content-encoding")).toBeNull();
    expect(await tiny.text()).toBe(publicTree()["feeds/tiny.xml"]);
    const png = await server.handle(request("/logo.png", { "accept-encoding": "br, gzip" }));
    expect(png.headers.get("content-encoding")).toBeNull();
    expect(png.headers.get("vary")).toBeNull();
  });

  it("answers 406 to a client refusing identity for a file that has no other coding", async () => {
    const server = serverFor(fixture);
    const response = await server.handle(
      request("/logo.png", { "accept-encoding": "br, identity;q=0" }),
    );
    expect(response.status).toBe(406);
  });
});
