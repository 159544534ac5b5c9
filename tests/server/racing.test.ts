import { createHash } from "node:crypto";
import http from "node:http";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ListeningServer } from "../../src/server/index.js";
import { AtomicFileWriter } from "../../src/store/files.js";
import { createPublicFixture, type PublicFixture, rssFeed, serverFor } from "./fixture.js";

interface Fetched {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

function get(agent: http.Agent, url: string, headers: Record<string, string>): Promise<Fetched> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent, headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks),
          }),
        );
        response.on("error", reject);
      })
      .on("error", reject);
  });
}

function decode(fetched: Fetched): Buffer {
  const coding = fetched.headers["content-encoding"];
  if (coding === "br") return brotliDecompressSync(fetched.body);
  if (coding === "gzip") return gunzipSync(fetched.body);
  return fetched.body;
}

const sha = (bytes: Buffer) => createHash("sha256").update(bytes).digest("base64url");

describe("serving while a publish rewrites the files", () => {
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

  it("answers every request with one complete version, never a mix", async () => {
    // Versions of different sizes, and some of the same size, as a real publish makes.
    const versions = Array.from({ length: 24 }, (_, i) =>
      rssFeed(
        `Warta Uji edisi ${String(i % 12).padStart(2, "0")}${i < 12 ? "a" : "b"}`,
        100 + (i % 5) * 40,
      ),
    );
    const known = new Map(versions.map((text) => [sha(Buffer.from(text)), text]));
    const writer = new AtomicFileWriter(fixture.publicDir);
    await writer.write("feeds/rss.xml", versions[0]!);
    const url = `${listening.url}feeds/rss.xml`;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

    let writing = true;
    const writes = (async () => {
      for (let round = 0; round < 250; round += 1) {
        await writer.write("feeds/rss.xml", versions[(round + 1) % versions.length]!);
      }
      writing = false;
    })();

    const problems: string[] = [];
    let answered = 0;
    const codings = ["identity", "gzip", "br", "gzip, br"];
    const readers = Array.from({ length: 16 }, async (_, reader) => {
      let lastEtag: string | undefined;
      while (writing) {
        const headers: Record<string, string> = { "accept-encoding": codings[reader % 4]! };
        // Half the readers revalidate what they last saw, as feed readers do.
        if (reader % 2 === 1 && lastEtag) headers["if-none-match"] = lastEtag;
        const fetched = await get(agent, url, headers);
        answered += 1;
        const etag = String(fetched.headers.etag);
        if (fetched.status === 304) {
          if (etag !== lastEtag) problems.push(`304 with ${etag}, asked ${lastEtag}`);
          continue;
        }
        if (fetched.status !== 200) {
          problems.push(`status ${fetched.status}`);
          continue;
        }
        const body = decode(fetched);
        const hash = sha(body);
        if (!known.has(hash))
          problems.push(`a body that is no complete version (${body.length} bytes)`);
        const suffix =
          { br: "-br", gzip: "-gz" }[String(fetched.headers["content-encoding"])] ?? "";
        if (etag !== `"${hash}${suffix}"`) problems.push(`ETag ${etag} does not name its body`);
        if (Number(fetched.headers["content-length"]) !== fetched.body.length) {
          problems.push("Content-Length differs from the body");
        }
        lastEtag = etag;
      }
    });
    await Promise.all([writes, ...readers]);

    expect(problems).toEqual([]);
    expect(answered).toBeGreaterThan(16);
    // Once the publish is over, the last version is what everyone gets.
    const last = versions[250 % versions.length]!;
    const final = await get(agent, url, { "accept-encoding": "br" });
    expect(decode(final).toString()).toBe(last);
    agent.destroy();
  });
});
