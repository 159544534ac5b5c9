import type { IncomingHttpHeaders } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { createHubNotifier } from "../../src/deliver/index.js";
import { isAppError } from "../../src/shared/errors.js";
import { thrownBy } from "../helpers/errors.js";
import { startHttpServer, type TestHttpServer } from "../helpers/http-server.js";

const userAgent = "warta/0.1.0 (+https://news.example/)";
const feeds = ["https://news.example/feed.xml", "https://news.example/ekonomi/atom.xml"];

/** One publish request as the hub received it. */
interface HubRequest {
  method: string | undefined;
  headers: IncomingHttpHeaders;
  form: URLSearchParams;
}

/** How the hub answers its n-th request (1-based): a status, or no answer at all. */
type Answer = { status: number; headers?: Record<string, string>; body?: string } | "hang";

interface TestHub {
  url: string;
  requests: HubRequest[];
  server: TestHttpServer;
}

let server: TestHttpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A WebSub hub on loopback at /hub that records each request and answers as `answer` says. */
async function startHub(answer: (n: number) => Answer): Promise<TestHub> {
  const requests: HubRequest[] = [];
  server = await startHttpServer({
    "/hub": {
      kind: "handler",
      handle: (request, response) => {
        const chunks: Buffer[] = [];
        request.on("data", (chunk: Buffer) => chunks.push(chunk));
        request.on("end", () => {
          requests.push({
            method: request.method,
            headers: request.headers,
            form: new URLSearchParams(Buffer.concat(chunks).toString("utf8")),
          });
          const reply = answer(requests.length);
          if (reply === "hang") return;
          response.writeHead(reply.status, { "content-type": "text/plain", ...reply.headers });
          response.end(reply.body ?? "");
        });
      },
    },
  });
  return { url: server.url("/hub"), requests, server };
}

/** A sleep that returns at once and remembers each delay asked for. */
function recordingSleep(): { sleep: (ms: number) => Promise<void>; delays: number[] } {
  const delays: number[] = [];
  return { delays, sleep: async (ms) => void delays.push(ms) };
}

/** A loopback URL on which nothing listens: a server is started and closed again. */
async function deadHubUrl(): Promise<string> {
  const closed = await startHttpServer({});
  const url = closed.url("/hub");
  await closed.close();
  return url;
}

describe("createHubNotifier", () => {
  it("POSTs one form-encoded hub.mode=publish per changed feed and reports them notified", async () => {
    const hub = await startHub(() => ({ status: 204 }));
    const { sleep, delays } = recordingSleep();
    const notifier = createHubNotifier({ hub: hub.url, userAgent, timeoutMs: 5_000, sleep });

    const result = await notifier.notify(feeds);

    expect(result).toEqual({ notified: feeds, failed: [] });
    expect(hub.requests).toHaveLength(2);
    for (const [i, request] of hub.requests.entries()) {
      expect(request.method).toBe("POST");
      expect(request.headers["content-type"]).toBe("application/x-www-form-urlencoded");
      expect(request.headers["user-agent"]).toBe(userAgent);
      expect([...request.form.keys()].sort()).toEqual(["hub.mode", "hub.url"]);
      expect(request.form.get("hub.mode")).toBe("publish");
      expect(request.form.getAll("hub.url")).toEqual([feeds[i]]);
    }
    expect(delays).toEqual([]);
  });

  it("form-encodes feed URLs that carry a query, so the hub decodes them unchanged", async () => {
    const hub = await startHub(() => ({ status: 202 }));
    const feed = "https://news.example/feed?kategori=ekonomi&format=atom#terbaru";
    const notifier = createHubNotifier({ hub: hub.url, userAgent, timeoutMs: 5_000 });

    const result = await notifier.notify([feed]);

    expect(result.notified).toEqual([feed]);
    expect(hub.requests[0]?.form.getAll("hub.url")).toEqual([feed]);
  });

  it("sends nothing when no feed changed", async () => {
    const hub = await startHub(() => ({ status: 204 }));
    const notifier = createHubNotifier({ hub: hub.url, userAgent, timeoutMs: 5_000 });

    expect(await notifier.notify([])).toEqual({ notified: [], failed: [] });
    expect(hub.requests).toHaveLength(0);
  });

  it("notifies a feed listed twice only once", async () => {
    const hub = await startHub(() => ({ status: 204 }));
    const notifier = createHubNotifier({ hub: hub.url, userAgent, timeoutMs: 5_000 });

    const result = await notifier.notify([feeds[0]!, feeds[0]!]);

    expect(result.notified).toEqual([feeds[0]]);
    expect(hub.requests).toHaveLength(1);
  });

  it("retries a hub that answers 503 twice with back-off, then reports the feed notified", async () => {
    const hub = await startHub((n) => (n <= 2 ? { status: 503 } : { status: 204 }));
    const { sleep, delays } = recordingSleep();
    const notifier = createHubNotifier({
      hub: hub.url,
      userAgent,
      timeoutMs: 5_000,
      attempts: 3,
      retryDelayMs: 500,
      sleep,
    });

    const result = await notifier.notify([feeds[0]!]);

    expect(result).toEqual({ notified: [feeds[0]], failed: [] });
    expect(hub.server.statuses("/hub")).toEqual([503, 503, 204]);
    expect(hub.requests.map((r) => r.form.get("hub.url"))).toEqual([feeds[0], feeds[0], feeds[0]]);
    expect(delays).toEqual([500, 1000]);
  });

  it("waits as long as Retry-After asks on 429 and 503, capped at maxRetryDelayMs", async () => {
    const answers: Answer[] = [
      { status: 429, headers: { "retry-after": "2" } },
      { status: 503, headers: { "retry-after": "3600" } },
      { status: 204 },
    ];
    const hub = await startHub((n) => answers[n - 1] ?? { status: 500 });
    const { sleep, delays } = recordingSleep();
    const notifier = createHubNotifier({
      hub: hub.url,
      userAgent,
      timeoutMs: 5_000,
      maxRetryDelayMs: 30_000,
      sleep,
    });

    const result = await notifier.notify([feeds[0]!]);

    expect(result.notified).toEqual([feeds[0]]);
    expect(delays).toEqual([2_000, 30_000]);
  });

  it("reads a Retry-After date against the injected clock", async () => {
    const now = new Date("2024-05-03T09:00:00Z");
    const later = new Date("2024-05-03T09:00:07Z").toUTCString();
    const hub = await startHub((n) =>
      n === 1 ? { status: 503, headers: { "retry-after": later } } : { status: 204 },
    );
    const { sleep, delays } = recordingSleep();
    const notifier = createHubNotifier({
      hub: hub.url,
      userAgent,
      timeoutMs: 5_000,
      sleep,
      now: () => now,
    });

    expect((await notifier.notify([feeds[0]!])).notified).toEqual([feeds[0]]);
    expect(delays).toEqual([7_000]);
  });

  it("does not retry a 400 and reports the feed failed with the status and the hub's reason", async () => {
    const hub = await startHub(() => ({ status: 400, body: "hub.url is not a known topic\n" }));
    const { sleep, delays } = recordingSleep();
    const notifier = createHubNotifier({ hub: hub.url, userAgent, timeoutMs: 5_000, sleep });

    const result = await notifier.notify(feeds);

    expect(result.notified).toEqual([]);
    // A refusal is about one topic: the other feed is still sent.
    expect(result.failed.map((f) => f.url)).toEqual(feeds);
    expect(result.failed[0]?.error).toContain("HTTP 400");
    expect(result.failed[0]?.error).toContain("hub.url is not a known topic");
    expect(result.failed[0]?.error).toContain(feeds[0]);
    expect(hub.server.statuses("/hub")).toEqual([400, 400]);
    expect(delays).toEqual([]);
  });

  it("reports a feed failed after every attempt when the hub is down (connection refused)", async () => {
    const hub = await deadHubUrl();
    const { sleep, delays } = recordingSleep();
    const notifier = createHubNotifier({ hub, userAgent, timeoutMs: 5_000, attempts: 3, sleep });

    const result = await notifier.notify([feeds[0]!]);

    expect(result.notified).toEqual([]);
    expect(result.failed).toHaveLength(1);
    expect(result.failed[0]?.url).toBe(feeds[0]);
    expect(result.failed[0]?.error).toContain("ECONNREFUSED");
    expect(result.failed[0]?.error).toContain("3 attempts");
    expect(delays).toEqual([500, 1000]);
  });

  it("stops sending to a hub that stayed down for one feed, and reports the others unsent", async () => {
    const hub = await startHub(() => ({ status: 503 }));
    const { sleep, delays } = recordingSleep();
    const notifier = createHubNotifier({ hub: hub.url, userAgent, timeoutMs: 5_000, sleep });

    const result = await notifier.notify(feeds);

    expect(result.notified).toEqual([]);
    expect(result.failed.map((f) => f.url)).toEqual(feeds);
    expect(result.failed[1]?.error).toContain("not sent");
    expect(hub.requests.map((r) => r.form.get("hub.url"))).toEqual([feeds[0], feeds[0], feeds[0]]);
    expect(delays).toEqual([500, 1000]);
  });

  it("gives up on a hub that never answers at the deadline of each attempt", async () => {
    const hub = await startHub(() => "hang");
    const { sleep, delays } = recordingSleep();
    const notifier = createHubNotifier({
      hub: hub.url,
      userAgent,
      timeoutMs: 150,
      attempts: 2,
      sleep,
    });

    const result = await notifier.notify([feeds[0]!]);

    expect(result.notified).toEqual([]);
    expect(result.failed[0]?.url).toBe(feeds[0]);
    expect(result.failed[0]?.error).toContain("no answer within 150 ms");
    expect(result.failed[0]?.error).toContain("2 attempts");
    expect(hub.requests).toHaveLength(2);
    expect(delays).toEqual([500]);
  });

  it("counts a 2xx as notified even when its body is still arriving at the deadline", async () => {
    server = await startHttpServer({ "/hub": { kind: "drip", intervalMs: 20 } });
    const notifier = createHubNotifier({ hub: server.url("/hub"), userAgent, timeoutMs: 100 });

    const result = await notifier.notify([feeds[0]!]);

    expect(result).toEqual({ notified: [feeds[0]], failed: [] });
    // Past the deadline the drained body is torn down; that must not surface as an error.
    await new Promise((resolve) => setTimeout(resolve, 200));
  });

  it("reports a feed URL that is not absolute http(s) as failed without sending it", async () => {
    const hub = await startHub(() => ({ status: 204 }));
    const notifier = createHubNotifier({ hub: hub.url, userAgent, timeoutMs: 5_000 });

    const result = await notifier.notify(["/feed.xml", "ftp://news.example/feed.xml", feeds[0]!]);

    expect(result.notified).toEqual([feeds[0]]);
    expect(result.failed.map((f) => f.url)).toEqual(["/feed.xml", "ftp://news.example/feed.xml"]);
    expect(hub.requests).toHaveLength(1);
  });

  it("sends the hub URL's credentials as Basic auth and keeps them out of the reported error", async () => {
    const hub = await startHub(() => ({ status: 403, body: "forbidden" }));
    const withCredentials = hub.url.replace("http://", "http://warta:rahasia@");
    const notifier = createHubNotifier({ hub: withCredentials, userAgent, timeoutMs: 5_000 });

    const result = await notifier.notify([feeds[0]!]);

    const expected = `Basic ${Buffer.from("warta:rahasia").toString("base64")}`;
    expect(hub.requests[0]?.headers.authorization).toBe(expected);
    expect(result.failed[0]?.error).toContain("HTTP 403");
    expect(result.failed[0]?.error).not.toContain("rahasia");
  });

  it("refuses a hub URL that is not http(s), naming the hub", () => {
    const error = thrownBy(() =>
      createHubNotifier({ hub: "ftp://hub.example/", userAgent, timeoutMs: 5_000 }),
    );
    expect(isAppError(error, "CONFIG_INVALID")).toBe(true);
    expect((error as Error).message).toContain("ftp://hub.example/");
  });

  it("refuses a hub that is not a URL at all", () => {
    const error = thrownBy(() =>
      createHubNotifier({ hub: "hub.example", userAgent, timeoutMs: 1 }),
    );
    expect(isAppError(error, "CONFIG_INVALID")).toBe(true);
    expect((error as Error).message).toContain("hub.example");
  });
});
