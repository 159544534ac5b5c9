import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  createPublicFixture,
  MTIME_HTTP,
  type PublicFixture,
  publicTree,
  request,
  serverFor,
} from "./fixture.js";

describe("serving the public folder in-process", () => {
  let fixture: PublicFixture;
  beforeEach(() => {
    fixture = createPublicFixture();
  });
  afterEach(() => fixture.remove());

  it.each([
    ["/feeds/rss.xml", "application/rss+xml; charset=utf-8"],
    ["/feeds/atom.xml", "application/atom+xml; charset=utf-8"],
    ["/feeds/feed.json", "application/feed+json; charset=utf-8"],
    ["/feeds/category/ekonomi/rss.xml", "application/rss+xml; charset=utf-8"],
    ["/feeds/category/ekonomi/atom.xml", "application/atom+xml; charset=utf-8"],
    ["/feeds/category/ekonomi/feed.json", "application/feed+json; charset=utf-8"],
    ["/feeds/archive/2026-10.xml", "application/atom+xml; charset=utf-8"],
    ["/feeds.opml", "text/x-opml; charset=utf-8"],
    ["/", "text/html; charset=utf-8"],
    ["/index.html", "text/html; charset=utf-8"],
    ["/newsletter/7/", "text/html; charset=utf-8"],
    ["/newsletter/7/index.html", "text/html; charset=utf-8"],
    ["/robots.txt", "text/plain; charset=utf-8"],
    ["/logo.png", "image/png"],
  ])("serves %s as %s with the file's bytes", async (pathname, contentType) => {
    const response = await serverFor(fixture).handle(request(pathname));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe(contentType);
    const relative = pathname.endsWith("/") ? `${pathname}index.html` : pathname;
    const onDisk = readFileSync(path.join(fixture.publicDir, relative));
    const body = Buffer.from(await response.arrayBuffer());
    expect(body.equals(onDisk)).toBe(true);
    expect(response.headers.get("content-length")).toBe(String(onDisk.length));
    expect(response.headers.get("last-modified")).toBe(MTIME_HTTP);
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("types a JSON file that is not a JSON Feed as application/json", async () => {
    fixture.write("feeds/stats.json", '{"articles": 3}\n');
    const response = await serverFor(fixture).handle(request("/feeds/stats.json"));
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(response.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("puts the configured max-age on feeds and pages", async () => {
    const server = serverFor(fixture, { cacheMaxAge: 900 });
    for (const pathname of ["/feeds/rss.xml", "/feeds/feed.json", "/"]) {
      const response = await server.handle(request(pathname));
      expect(response.headers.get("cache-control")).toBe("public, max-age=900");
    }
  });

  it("ignores the query string", async () => {
    const response = await serverFor(fixture).handle(request("/feeds/rss.xml?utm_source=x"));
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(publicTree()["feeds/rss.xml"]);
  });

  it("lets any origin read the JSON Feed, and only it", async () => {
    const server = serverFor(fixture);
    const json = await server.handle(request("/feeds/feed.json", { origin: "https://x.example" }));
    expect(json.headers.get("access-control-allow-origin")).toBe("*");
    expect(json.headers.get("access-control-expose-headers")).toBe("ETag");
    const rss = await server.handle(request("/feeds/rss.xml", { origin: "https://x.example" }));
    expect(rss.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("answers the CORS preflight of the JSON Feed", async () => {
    const response = await serverFor(fixture).handle(
      request(
        "/feeds/feed.json",
        {
          origin: "https://reader.example",
          "access-control-request-method": "GET",
          "access-control-request-headers": "if-none-match",
        },
        "OPTIONS",
      ),
    );
    expect(response.status).toBe(204);
    expect(response.headers.get("access-control-allow-origin")).toBe("*");
    expect(response.headers.get("access-control-allow-methods")).toBe("GET, HEAD, OPTIONS");
    expect(response.headers.get("access-control-allow-headers")).toContain("If-None-Match");
    expect(response.headers.get("access-control-max-age")).toBe("86400");
    expect(await response.text()).toBe("");
  });

  it("answers OPTIONS on other files with Allow and no CORS, and 404 on missing ones", async () => {
    const server = serverFor(fixture);
    const rss = await server.handle(request("/feeds/rss.xml", {}, "OPTIONS"));
    expect(rss.status).toBe(204);
    expect(rss.headers.get("allow")).toBe("GET, HEAD, OPTIONS");
    expect(rss.headers.get("access-control-allow-origin")).toBeNull();
    const missing = await server.handle(request("/feeds/nope.xml", {}, "OPTIONS"));
    expect(missing.status).toBe(404);
  });

  it("answers HEAD with the headers of GET and no body", async () => {
    const server = serverFor(fixture);
    for (const encoding of ["", "gzip", "br"]) {
      const headers: Record<string, string> = encoding ? { "accept-encoding": encoding } : {};
      const get = await server.handle(request("/feeds/rss.xml", headers));
      const head = await server.handle(request("/feeds/rss.xml", headers, "HEAD"));
      expect(head.status).toBe(200);
      expect([...head.headers]).toEqual([...get.headers]);
      expect((await head.arrayBuffer()).byteLength).toBe(0);
      expect(Number(head.headers.get("content-length"))).toBe((await get.arrayBuffer()).byteLength);
    }
  });

  it("reports health at /healthz, never cached", async () => {
    const server = serverFor(fixture);
    const response = await server.handle(request("/healthz"));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.json()).toEqual({ status: "ok" });
    const head = await server.handle(request("/healthz", {}, "HEAD"));
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
  });

  it("reports health even before anything is published", async () => {
    fixture.remove();
    const server = serverFor(fixture);
    expect((await server.handle(request("/healthz"))).status).toBe(200);
    expect((await server.handle(request("/feeds/rss.xml"))).status).toBe(404);
  });

  it.each(["POST", "PUT", "DELETE", "PATCH"])("refuses %s with 405 and Allow", async (method) => {
    const server = serverFor(fixture);
    for (const pathname of ["/feeds/rss.xml", "/healthz"]) {
      const response = await server.handle(request(pathname, {}, method));
      expect(response.status).toBe(405);
      expect(response.headers.get("allow")).toBe("GET, HEAD, OPTIONS");
    }
  });

  it("answers 404 for missing files, with a short text and no caching", async () => {
    const response = await serverFor(fixture).handle(request("/feeds/missing.xml"));
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await response.text()).toBe("Not Found\n");
  });

  it("redirects a folder to its trailing-slash URL, and 404s a folder without index.html", async () => {
    const server = serverFor(fixture);
    const redirect = await server.handle(request("/newsletter/7"));
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get("location")).toBe("/newsletter/7/");
    // No listing of folders.
    expect((await server.handle(request("/feeds/"))).status).toBe(404);
  });

  it("never serves the publisher's temporary files or hidden files", async () => {
    fixture.write("feeds/rss.xml.1234.abcd.tmp", "half a feed");
    fixture.write(".git/config", "[core]");
    fixture.write("feeds/.draft.xml", "<rss/>");
    const server = serverFor(fixture);
    for (const pathname of ["/feeds/rss.xml.1234.abcd.tmp", "/.git/config", "/feeds/.draft.xml"]) {
      expect((await server.handle(request(pathname))).status).toBe(404);
    }
  });

  it("serves a file published after the server started, and stops serving a removed one", async () => {
    const server = serverFor(fixture);
    expect((await server.handle(request("/feeds/author/ani/rss.xml"))).status).toBe(404);
    const file = fixture.write("feeds/author/ani/rss.xml", "<rss/>");
    expect((await server.handle(request("/feeds/author/ani/rss.xml"))).status).toBe(200);
    rmSync(file);
    expect((await server.handle(request("/feeds/author/ani/rss.xml"))).status).toBe(404);
  });
});
