import { rmSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { matchesAny, parseHttpDate } from "../../src/server/index.js";
import {
  createPublicFixture,
  expectedEtag,
  MTIME,
  MTIME_HTTP,
  type PublicFixture,
  publicTree,
  request,
  serverFor,
} from "./fixture.js";

const RSS = "/feeds/rss.xml";

describe("validators and conditional requests", () => {
  let fixture: PublicFixture;
  beforeEach(() => {
    fixture = createPublicFixture();
  });
  afterEach(() => fixture.remove());

  const rssEtag = () => expectedEtag(publicTree()["feeds/rss.xml"]!);
  const get = (headers: Record<string, string> = {}, method = "GET") =>
    serverFor(fixture).handle(request(RSS, headers, method));

  it("gives a strong ETag from the hash of the bytes and Last-Modified from the mtime", async () => {
    const response = await get();
    expect(response.headers.get("etag")).toBe(rssEtag());
    expect(response.headers.get("etag")).not.toMatch(/^W\//);
    expect(response.headers.get("last-modified")).toBe(MTIME_HTTP);
  });

  it("answers 304 to a matching If-None-Match, with the validators and caching headers", async () => {
    const response = await get({ "if-none-match": rssEtag() });
    expect(response.status).toBe(304);
    expect(await response.text()).toBe("");
    expect(response.headers.get("etag")).toBe(rssEtag());
    expect(response.headers.get("last-modified")).toBe(MTIME_HTTP);
    expect(response.headers.get("cache-control")).toBe("public, max-age=300");
    expect(response.headers.get("vary")).toBe("Accept-Encoding");
    expect(response.headers.get("content-length")).toBeNull();
  });

  it("answers 304 to HEAD as to GET", async () => {
    expect((await get({ "if-none-match": rssEtag() }, "HEAD")).status).toBe(304);
  });

  it("keeps CORS on the 304 of the JSON Feed", async () => {
    const server = serverFor(fixture);
    const first = await server.handle(request("/feeds/feed.json"));
    const again = await server.handle(
      request("/feeds/feed.json", { "if-none-match": first.headers.get("etag")! }),
    );
    expect(again.status).toBe(304);
    expect(again.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("compares If-None-Match weakly: a W/ tag matches", async () => {
    expect((await get({ "if-none-match": `W/${rssEtag()}` })).status).toBe(304);
  });

  it("finds the tag in a list, and takes * as any current version", async () => {
    const list = `"stale", W/"older", ${rssEtag()}`;
    expect((await get({ "if-none-match": list })).status).toBe(304);
    expect((await get({ "if-none-match": '"stale", "older"' })).status).toBe(200);
    expect((await get({ "if-none-match": "*" })).status).toBe(304);
  });

  it("answers 200 with the body to a tag of another version", async () => {
    const response = await get({ "if-none-match": expectedEtag("an older feed") });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(publicTree()["feeds/rss.xml"]);
  });

  it("answers 304 when If-Modified-Since is at or after Last-Modified, 200 before", async () => {
    expect((await get({ "if-modified-since": MTIME_HTTP })).status).toBe(304);
    const later = new Date(MTIME.getTime() + 60_000).toUTCString();
    expect((await get({ "if-modified-since": later })).status).toBe(304);
    const earlier = new Date(MTIME.getTime() - 1_000).toUTCString();
    expect((await get({ "if-modified-since": earlier })).status).toBe(200);
  });

  it("ignores an If-Modified-Since that is not an HTTP date", async () => {
    expect((await get({ "if-modified-since": "yesterday" })).status).toBe(200);
  });

  it("lets If-None-Match win over If-Modified-Since (RFC 9110 §13.2.2)", async () => {
    const later = new Date(MTIME.getTime() + 60_000).toUTCString();
    const stale = await get({ "if-none-match": '"stale"', "if-modified-since": later });
    expect(stale.status).toBe(200);
    const earlier = new Date(MTIME.getTime() - 60_000).toUTCString();
    const current = await get({ "if-none-match": rssEtag(), "if-modified-since": earlier });
    expect(current.status).toBe(304);
  });

  it("answers 412 to a failed If-Match or If-Unmodified-Since", async () => {
    expect((await get({ "if-match": '"stale"' })).status).toBe(412);
    // If-Match compares strongly: a weak tag never matches.
    expect((await get({ "if-match": `W/${rssEtag()}` })).status).toBe(412);
    expect((await get({ "if-match": rssEtag() })).status).toBe(200);
    const earlier = new Date(MTIME.getTime() - 60_000).toUTCString();
    expect((await get({ "if-unmodified-since": earlier })).status).toBe(412);
    expect((await get({ "if-unmodified-since": MTIME_HTTP })).status).toBe(200);
  });

  it("gives a rewritten file a new ETag and Last-Modified, and the old ETag a 200", async () => {
    const server = serverFor(fixture);
    const before = await server.handle(request(RSS));
    const oldEtag = before.headers.get("etag")!;
    const next = publicTree()["feeds/rss.xml"]!.replace("Berita 0:", "Berita baru:");
    const mtime = new Date(MTIME.getTime() + 3_600_000);
    fixture.write("feeds/rss.xml", next, mtime);
    const after = await server.handle(request(RSS, { "if-none-match": oldEtag }));
    expect(after.status).toBe(200);
    expect(after.headers.get("etag")).toBe(expectedEtag(next));
    expect(after.headers.get("last-modified")).toBe(mtime.toUTCString());
    expect(await after.text()).toBe(next);
  });

  it("keeps the ETag when a file is rewritten with the same bytes", async () => {
    const server = serverFor(fixture);
    const before = await server.handle(request(RSS));
    rmSync(`${fixture.publicDir}/feeds/rss.xml`);
    fixture.write("feeds/rss.xml", publicTree()["feeds/rss.xml"]!);
    const after = await server.handle(
      request(RSS, { "if-none-match": before.headers.get("etag")! }),
    );
    expect(after.status).toBe(304);
  });
});

describe("entity-tag lists", () => {
  it("matches strongly or weakly as asked", () => {
    expect(matchesAny('"a"', '"a"', false)).toBe(true);
    expect(matchesAny('W/"a"', '"a"', false)).toBe(false);
    expect(matchesAny('W/"a"', '"a"', true)).toBe(true);
  });

  it("reads tags that contain commas and lists with empty members", () => {
    expect(matchesAny('"x,y", "a"', '"a"', true)).toBe(true);
    expect(matchesAny('"x,y"', '"x,y"', true)).toBe(true);
    expect(matchesAny(' , "b",, "a" ', '"a"', true)).toBe(true);
  });

  it("matches nothing in a malformed value", () => {
    expect(matchesAny("a", '"a"', true)).toBe(false);
    expect(matchesAny("", '"a"', true)).toBe(false);
    expect(matchesAny('"a', '"a"', true)).toBe(false);
  });
});

describe("HTTP dates", () => {
  it("reads the three forms of RFC 9110 as the same instant", () => {
    const instant = Date.UTC(1994, 10, 6, 8, 49, 37);
    expect(parseHttpDate("Sun, 06 Nov 1994 08:49:37 GMT")).toBe(instant);
    expect(parseHttpDate("Sunday, 06-Nov-94 08:49:37 GMT")).toBe(instant);
    expect(parseHttpDate("Sun Nov  6 08:49:37 1994")).toBe(instant);
  });

  it("refuses anything else", () => {
    expect(parseHttpDate("2026-11-29T06:00:00Z")).toBeUndefined();
    expect(parseHttpDate("Sun, 06 Foo 1994 08:49:37 GMT")).toBeUndefined();
    expect(parseHttpDate("Sun, 06 Nov 1994 08:49:37 +0700")).toBeUndefined();
  });
});
