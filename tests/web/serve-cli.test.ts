import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type RunningWarta, spawnWarta } from "../helpers/cli.js";
import { type SmtpSink, startSmtpSink } from "../helpers/smtp.js";
import { createWorkspace, type Workspace, workspaceConfig } from "../helpers/workspace.js";
import { linkIn, testSecret } from "./harness.js";

async function servingUrl(warta: RunningWarta): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const url = /^warta: serving .+ at (http:\/\/\S+)$/m.exec(warta.stdout)?.[1];
    if (url) return url;
    if (warta.child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`warta did not start serving: ${warta.stderr}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe.each(["serve", "run"])("warta %s and the subscription pages", (command) => {
  let ws: Workspace | undefined;
  let sink: SmtpSink | undefined;
  let warta: RunningWarta | undefined;
  afterEach(async () => {
    if (warta && warta.child.exitCode === null) {
      warta.child.kill("SIGTERM");
      await warta.exited;
    }
    warta = undefined;
    await sink?.close();
    ws?.remove();
  });

  it("signs up through the store and the configured SMTP server, and still serves files", async () => {
    ws = createWorkspace();
    sink = await startSmtpSink();
    mkdirSync(path.join(ws.root, "public", "feeds"), { recursive: true });
    writeFileSync(path.join(ws.root, "public", "feeds", "rss.xml"), "<rss/>");
    const config = ws.writeConfig(
      workspaceConfig({
        server: { port: 0 },
        // The scheduled jobs of `warta run` stay out of the way.
        schedule: { collect: "0 0 1 1 *", publish: "0 0 1 1 *", digest: "0 0 1 1 *" },
      }),
    );
    warta = spawnWarta([command, "--config", config], {
      cwd: ws.root,
      env: { WARTA_SMTP_URL: sink.url, WARTA_SECRET: testSecret },
    });
    const url = await servingUrl(warta);
    expect(await (await fetch(`${url}feeds/rss.xml`)).text()).toBe("<rss/>");

    const form = await fetch(`${url}subscribe`);
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('<html lang="id">');
    const posted = await fetch(`${url}subscribe`, {
      method: "POST",
      body: new URLSearchParams({
        email: "cli@example.org",
        language: "id",
        frequency: "daily",
        timezone: "Asia/Jakarta",
      }),
    });
    expect(posted.status).toBe(200);
    const deadline = Date.now() + 10_000;
    while (sink.messages.length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const confirm = linkIn(sink.messages[0]!, "https://news.example.org/subscribe/confirm?token=");
    const local = confirm.replace("https://news.example.org/", url);
    // Opening the link only shows the button (link scanners open it too); its POST confirms.
    const opened = await fetch(local);
    expect(opened.status).toBe(200);
    const page = await opened.text();
    expect(page).toContain("Ya, saya mau berlangganan");
    expect(page).not.toContain("Langganan aktif");
    const confirmed = await fetch(local, {
      method: "POST",
      body: new URLSearchParams({ token: new URL(local).searchParams.get("token")! }),
    });
    expect(confirmed.status).toBe(200);
    expect(await confirmed.text()).toContain("Langganan aktif");

    warta.child.kill("SIGTERM");
    expect(await warta.exited).toBe(0);
    expect(warta.stderr).toBe("");
  });
});
