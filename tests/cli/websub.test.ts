import { readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runWarta } from "../helpers/cli.js";
import { startHttpServer, type TestHttpServer } from "../helpers/http-server.js";
import { createWorkspace, type Workspace, workspaceConfig } from "../helpers/workspace.js";

describe("WebSub", () => {
  let ws: Workspace | undefined;
  let hub: TestHttpServer | undefined;
  afterEach(async () => {
    ws?.remove();
    await hub?.close();
  });

  it("announces the feeds a publish changed to the hub, and nothing when nothing changed", async () => {
    const pings: URLSearchParams[] = [];
    hub = await startHttpServer({
      "/hub": {
        kind: "handler",
        handle(request, response) {
          let body = "";
          request.on("data", (chunk: Buffer) => {
            body += chunk.toString();
          });
          request.on("end", () => {
            pings.push(new URLSearchParams(body));
            response.writeHead(204).end();
          });
        },
      },
    });
    ws = createWorkspace();
    ws.writeArticle(
      "ekonomi/a.md",
      "---\ntitle: Harga Karet Naik\ndate: 2024-05-04 08:00\ncategories: [Ekonomi]\n---\n\nIsi.\n",
    );
    const config = ws.writeConfig(workspaceConfig({ feeds: { websub_hub: hub.url("/hub") } }));
    await runWarta(["collect", "--config", config], { cwd: ws.root });
    const first = await runWarta(["feeds", "--config", config], { cwd: ws.root });
    expect(first.code).toBe(0);
    const announced = pings.map((p) => {
      expect(p.get("hub.mode")).toBe("publish");
      return p.get("hub.url");
    });
    for (const feed of [
      "feeds/rss.xml",
      "feeds/atom.xml",
      "feeds/feed.json",
      "feeds/category/ekonomi/rss.xml",
    ]) {
      expect(announced).toContain(`https://news.example.org/${feed}`);
    }
    expect(announced.some((url) => url?.includes("/archive/"))).toBe(false);
    expect(first.stdout).toContain(`websub: ${pings.length} feed(s) announced to the hub`);

    // The feeds point to the hub and keep their self link.
    const atom = readFileSync(path.join(ws.root, "public", "feeds", "atom.xml"), "utf8");
    expect(atom).toContain(`rel="hub" href="${hub.url("/hub")}"`);
    expect(atom).toContain('rel="self" href="https://news.example.org/feeds/atom.xml"');

    const before = pings.length;
    await runWarta(["feeds", "--config", config], { cwd: ws.root });
    expect(pings.length).toBe(before);
  });
});
