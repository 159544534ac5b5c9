import { afterEach, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config/index.js";
import { openContext } from "../../src/main.js";
import { createServer, type ListeningServer } from "../../src/server/index.js";
import { silentLogger } from "../../src/shared/logger.js";
import { createWebHandler, type WebHandler } from "../../src/web/index.js";
import {
  type BounceStoreFixture,
  complaint,
  hardBounce,
  openBounceStore,
} from "../bounces/harness.js";
import { createWorkspace, type Workspace, workspaceConfig } from "../helpers/workspace.js";
import { testSecret } from "./harness.js";

const token = "bounce-token-0123456789";

interface Served {
  url: string;
  fx: BounceStoreFixture;
  close(): Promise<void>;
}

/** The web handler of a real store on 127.0.0.1, with the environment given. */
async function serve(ws: Workspace, env: Record<string, string>): Promise<Served> {
  const fx = await openBounceStore();
  const file = ws.writeConfig(
    workspaceConfig({
      store: fx.spec,
      paths: { data: fx.dir, public: "../public", outbox: "../outbox", templates: "../templates" },
      mail: { from: "Warta Uji <newsletter@news.example.org>" },
      log: { level: "silent" },
    }),
  );
  const fullEnv = { WARTA_SECRET: testSecret, ...env };
  const config = loadConfig({ file, env: fullEnv, cwd: ws.root });
  const { ctx, close } = await openContext(config, fullEnv);
  ctx.logger = silentLogger();
  let web: WebHandler | undefined;
  let listening: ListeningServer | undefined;
  try {
    web = await createWebHandler(ctx);
    listening = await createServer({
      publicDir: config.paths.public,
      cacheMaxAge: 60,
      logger: ctx.logger,
      dynamic: web,
    }).listen(0, "127.0.0.1");
  } catch (error) {
    await close();
    await fx.close();
    throw error;
  }
  const running = listening;
  const handler = web;
  return {
    url: running.url,
    fx,
    async close() {
      await running.close();
      await handler.close();
      await close();
      await fx.close();
    },
  };
}

describe("the bounce webhook", () => {
  let ws: Workspace | undefined;
  let served: Served | undefined;
  afterEach(async () => {
    await served?.close();
    served = undefined;
    ws?.remove();
  });

  const post = (body: string, headers: Record<string, string>) =>
    fetch(new URL("webhooks/bounce", served!.url), { method: "POST", body, headers });

  it("does not exist without WARTA_BOUNCE_TOKEN", async () => {
    ws = createWorkspace();
    served = await serve(ws, {});
    const response = await post("x", {
      "content-type": "message/rfc822",
      authorization: `Bearer ${token}`,
    });
    expect(response.status).toBe(404);
  });

  it("refuses a missing or wrong bearer token and changes nothing", async () => {
    ws = createWorkspace();
    served = await serve(ws, { WARTA_BOUNCE_TOKEN: token });
    const budi = await served.fx.subscriber("budi@example.net");
    const edition = await served.fx.edition([budi]);
    const raw = hardBounce(edition, budi, "budi@example.net");
    for (const authorization of [
      undefined,
      `Bearer ${token}x`,
      `Bearer ${token.slice(0, -1)}`,
      token,
    ]) {
      const headers: Record<string, string> = { "content-type": "message/rfc822" };
      if (authorization) headers.authorization = authorization;
      const response = await post(raw, headers);
      expect(response.status, String(authorization)).toBe(401);
      expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
    }
    expect((await served.fx.delivery(edition, budi)).status).toBe("sent");
  });

  it("applies a posted bounce once and a complaint, with the right token", async () => {
    ws = createWorkspace();
    served = await serve(ws, { WARTA_BOUNCE_TOKEN: token });
    const { fx } = served;
    const budi = await fx.subscriber("budi@example.net");
    const citra = await fx.subscriber("citra@hotmail.example");
    const edition = await fx.edition([budi, citra]);
    const raw = hardBounce(edition, budi, "budi@example.net");
    const headers = { "content-type": "message/rfc822", authorization: `Bearer ${token}` };

    const first = await post(raw, headers);
    expect(first.status).toBe(200);
    expect(first.headers.get("cache-control")).toBe("no-store");
    expect(await first.json()).toMatchObject({
      reports: 1,
      results: [{ kind: "hard", outcome: "applied", editionId: edition, subscriberId: budi }],
    });
    // A forwarder retrying the same message: counted once.
    const retry = await post(raw, headers);
    expect(await retry.json()).toMatchObject({ results: [{ outcome: "duplicate" }] });
    expect((await fx.delivery(edition, budi)).status).toBe("bounced");
    expect(await fx.subscriberRow(budi)).toEqual({ status: "active", hard_bounces: 1 });

    const complained = await post(complaint(edition, citra, "citra@hotmail.example"), {
      ...headers,
      "content-type": "text/plain; charset=utf-8",
    });
    expect(complained.status).toBe(200);
    expect((await fx.subscriberRow(citra)).status).toBe("complained");
  });

  it("refuses other methods, other content types and bodies over 1 MB", async () => {
    ws = createWorkspace();
    served = await serve(ws, { WARTA_BOUNCE_TOKEN: token });
    const authorization = `Bearer ${token}`;
    const get = await fetch(new URL("webhooks/bounce", served.url), { headers: { authorization } });
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST, OPTIONS");
    const json = await post("{}", { "content-type": "application/json", authorization });
    expect(json.status).toBe(415);
    const huge = await post("x".repeat(1024 * 1024 + 1), {
      "content-type": "message/rfc822",
      authorization,
    });
    expect(huge.status).toBe(413);
  });
});
