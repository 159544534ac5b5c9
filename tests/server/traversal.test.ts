import { execFile, execFileSync } from "node:child_process";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ListeningServer } from "../../src/server/index.js";
import { createPublicFixture, type PublicFixture, request, serverFor } from "./fixture.js";

const execFileAsync = promisify(execFile);

/** Request targets that try to leave the public folder; public/../secret.txt exists. */
const escapes = [
  "/../secret.txt",
  "/../../../../etc/passwd",
  "/feeds/../../secret.txt",
  "/%2e%2e/secret.txt",
  "/%2E%2E/%2E%2E/etc/passwd",
  "/.%2e/secret.txt",
  "/%2e./secret.txt",
  "/%252e%252e/secret.txt",
  "/%252e%252e/%252e%252e/etc/passwd",
  "/feeds/..%2f..%2fsecret.txt",
  "/feeds/..%2F..%2Fsecret.txt",
  "/feeds/%2e%2e%2f%2e%2e%2fsecret.txt",
  "/feeds/..%5c..%5csecret.txt",
  "/feeds\\..\\..\\secret.txt",
  "/..\\secret.txt",
  "/feeds/rss.xml%00.html",
  "/%00/etc/passwd",
  "//etc/passwd",
  "/etc/passwd",
  "///secret.txt",
  "/feeds//../secret.txt",
  "http://warta.test/../secret.txt",
  "http://warta.test/%2e%2e/secret.txt",
];

/** Targets that are not valid paths at all. */
const malformed = ["/%zz/secret.txt", "/feeds/%c0%ae%c0%ae/secret.txt", "/%", "secret.txt"];

describe("requests outside the public folder", () => {
  let fixture: PublicFixture;
  beforeEach(() => {
    fixture = createPublicFixture();
  });
  afterEach(() => fixture.remove());

  it.each(escapes)("answers 404 to %s (in-process, target as sent)", async (target) => {
    const response = await serverFor(fixture).respond({ method: "GET", target, headers: {} });
    expect(response.status).toBe(404);
    expect(Buffer.from(response.body ?? []).toString()).not.toContain("SECRET");
  });

  it.each(malformed)("answers 400 to the malformed target %s", async (target) => {
    const response = await serverFor(fixture).respond({ method: "GET", target, headers: {} });
    expect(response.status).toBe(400);
  });

  it("answers 404 through the Fetch API too, where the URL is normalised first", async () => {
    const response = await serverFor(fixture).handle(request("/feeds/../../secret.txt"));
    expect(response.status).toBe(404);
  });

  it("refuses symbolic links that lead outside, and follows those that stay inside", async () => {
    symlinkSync(path.join(fixture.root, "secret.txt"), path.join(fixture.publicDir, "leak.txt"));
    symlinkSync(fixture.root, path.join(fixture.publicDir, "up"));
    symlinkSync("/etc", path.join(fixture.publicDir, "etc"));
    symlinkSync(
      path.join(fixture.publicDir, "feeds", "rss.xml"),
      path.join(fixture.publicDir, "latest.xml"),
    );
    const server = serverFor(fixture);
    for (const pathname of ["/leak.txt", "/up/secret.txt", "/etc/passwd", "/etc/hostname"]) {
      const response = await server.handle(request(pathname));
      expect(response.status, pathname).toBe(404);
      expect(await response.text()).not.toContain("SECRET");
    }
    const inside = await server.handle(request("/latest.xml"));
    expect(inside.status).toBe(200);
    expect(inside.headers.get("content-type")).toBe("application/rss+xml; charset=utf-8");
  });

  it("refuses a file swapped for a link to the outside after it was served", async () => {
    const server = serverFor(fixture);
    mkdirSync(path.join(fixture.publicDir, "swap"));
    writeFileSync(path.join(fixture.publicDir, "swap", "feed.xml"), "<rss/>");
    expect((await server.handle(request("/swap/feed.xml"))).status).toBe(200);
    const file = path.join(fixture.publicDir, "swap", "feed.xml");
    execFileSync("rm", [file]);
    symlinkSync(path.join(fixture.root, "secret.txt"), file);
    expect((await server.handle(request("/swap/feed.xml"))).status).toBe(404);
  });
});

/** Sends one raw HTTP/1.1 request, byte for byte, and returns the status line and the rest. */
function rawRequest(port: number, target: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let text = "";
    socket.on("data", (chunk: Buffer) => {
      text += chunk.toString("latin1");
    });
    socket.on("error", reject);
    socket.on("end", () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
      resolve({ status, text });
    });
    socket.write(
      Buffer.from(
        `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`,
        "latin1",
      ),
    );
  });
}

function hasCurl(): boolean {
  try {
    execFileSync("curl", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

describe("requests outside the public folder, over a real port", () => {
  let fixture: PublicFixture;
  let listening: ListeningServer;
  beforeEach(async () => {
    fixture = createPublicFixture();
    listening = await serverFor(fixture).listen(0, "127.0.0.1");
  });
  afterEach(async () => {
    await listening.close();
    fixture.remove();
  });

  it("answers 404 to every escape sent byte for byte", async () => {
    for (const target of escapes) {
      const { status, text } = await rawRequest(listening.port, target);
      expect(status, target).toBe(404);
      expect(text).not.toContain("SECRET");
    }
  });

  it("never answers a raw NUL byte or raw traversal with the secret", async () => {
    const nul = await rawRequest(listening.port, "/feeds/rss.xml\0/../../secret.txt");
    // Node's HTTP parser refuses the request line before warta sees it.
    expect(nul.status).toBe(400);
    expect(nul.text).not.toContain("SECRET");
  });

  // In CI curl is installed (.ci/run): there a missing curl fails instead of skipping.
  it.skipIf(!hasCurl() && !process.env.CI)("answers 404 to curl --path-as-is", async () => {
    for (const target of ["/../secret.txt", "/%2e%2e/secret.txt", "/feeds/..%2f..%2fsecret.txt"]) {
      // Asynchronously: the server answers from this very process.
      const { stdout } = await execFileAsync("curl", [
        "-sS",
        "--path-as-is",
        "-o",
        "/dev/null",
        "-w",
        "%{http_code}",
        `${listening.url.slice(0, -1)}${target}`,
      ]);
      expect(stdout, target).toBe("404");
    }
  });
});
