import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createPublicFixture, MTIME, type PublicFixture, request, serverFor } from "./fixture.js";

describe("how long a file's stat is trusted", () => {
  let fixture: PublicFixture;
  let clock: number;
  beforeEach(() => {
    fixture = createPublicFixture();
    clock = 1_000_000;
  });
  afterEach(() => fixture.remove());

  it("serves a new version once statCacheMs has passed, and the old one before", async () => {
    const server = serverFor(fixture, { statCacheMs: 1_000, now: () => clock });
    expect(await (await server.handle(request("/robots.txt"))).text()).toBe("User-agent: *\n");
    fixture.write("robots.txt", "User-agent: *\nDisallow: /\n", new Date(MTIME.getTime() + 60_000));
    clock += 999;
    expect(await (await server.handle(request("/robots.txt"))).text()).toBe("User-agent: *\n");
    clock += 1;
    const next = await server.handle(request("/robots.txt"));
    expect(await next.text()).toBe("User-agent: *\nDisallow: /\n");
  });

  it("checks the disk on every request with statCacheMs 0", async () => {
    const server = serverFor(fixture, { statCacheMs: 0, now: () => clock });
    await server.handle(request("/robots.txt"));
    fixture.write("robots.txt", "User-agent: *\nDisallow: /\n", new Date(MTIME.getTime() + 60_000));
    expect(await (await server.handle(request("/robots.txt"))).text()).toBe(
      "User-agent: *\nDisallow: /\n",
    );
  });
});
