import { type Config, loadConfig } from "../../src/config/index.js";
import { openContext } from "../../src/main.js";
import type { PipelineContext } from "../../src/pipeline/index.js";
import { runCollect } from "../../src/pipeline/index.js";
import { createServer, type ListeningServer } from "../../src/server/index.js";
import { silentLogger } from "../../src/shared/logger.js";
import { createWebHandler, type WebHandler } from "../../src/web/index.js";
import { type ReceivedMail, type SmtpSink, startSmtpSink } from "../helpers/smtp.js";
import { createWorkspace, type Workspace, workspaceConfig } from "../helpers/workspace.js";

/** The secret every harness signs with, so that tests can sign tokens of their own. */
export const testSecret = "warta-test-secret-0123456789abcdefghij";

/** A running `warta serve` equivalent in-process: real store, real SMTP sink, real port. */
export interface WebHarness {
  /** http://127.0.0.1:<port>/ */
  url: string;
  ws: Workspace;
  config: Config;
  ctx: PipelineContext;
  sink: SmtpSink;
  web: WebHandler;
  /** Waits until the sink holds at least `count` messages, then returns them all. */
  mails(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  /** A link from an email (on site.base_url), pointed at the local server instead. */
  local(href: string): string;
  /** POSTs a form body. */
  post(
    path: string,
    fields: Record<string, string | string[]>,
    headers?: Record<string, string>,
  ): Promise<Response>;
  close(): Promise<void>;
}

/** Sets up a workspace with two categories of articles and serves its pages on 127.0.0.1:0. */
export async function startWebHarness(
  overrides: { server?: Record<string, unknown>; newsletter?: Record<string, unknown> } = {},
): Promise<WebHarness> {
  const ws = createWorkspace();
  const sink = await startSmtpSink();
  let listening: ListeningServer | undefined;
  let closeContext: (() => Promise<void>) | undefined;
  try {
    ws.writeArticle(
      "ekonomi/cabai.md",
      "---\ntitle: Harga Cabai Naik\ndate: 2024-05-06 08:30\ncategories: [Ekonomi]\n---\n\nPasokan berkurang.\n",
    );
    ws.writeArticle(
      "olahraga/bola.md",
      "---\ntitle: Tim Daerah Menang\ndate: 2024-05-06 09:30\ncategories: [Olahraga]\n---\n\nSkor 2-1.\n",
    );
    const file = ws.writeConfig(
      workspaceConfig({
        server: { port: 0, ...overrides.server },
        newsletter: { ...overrides.newsletter },
        mail: { from: "Warta Uji <newsletter@news.example.org>" },
        log: { level: "silent" },
      }),
    );
    const config = loadConfig({
      file,
      env: { WARTA_SMTP_URL: sink.url, WARTA_SECRET: testSecret },
      cwd: ws.root,
    });
    const opened = await openContext(config);
    closeContext = opened.close;
    const ctx = opened.ctx;
    ctx.logger = silentLogger();
    await runCollect(ctx);
    const web = await createWebHandler(ctx);
    const server = createServer({
      publicDir: config.paths.public,
      cacheMaxAge: config.server.cache_max_age,
      logger: ctx.logger,
      dynamic: web,
    });
    listening = await server.listen(0, "127.0.0.1");
    const url = listening.url;
    const base = config.site.base_url;
    const running = listening;
    const contextClose = closeContext;
    return {
      url,
      ws,
      config,
      ctx,
      sink,
      web,
      async mails(count, timeoutMs = 10_000) {
        const deadline = Date.now() + timeoutMs;
        while (sink.messages.length < count) {
          if (Date.now() > deadline) {
            throw new Error(`expected ${count} emails, got ${sink.messages.length}`);
          }
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
        return sink.messages;
      },
      local(href) {
        if (!href.startsWith(base)) throw new Error(`${href} is not below ${base}`);
        return new URL(href.slice(base.length), url).href;
      },
      post(path, fields, headers = {}) {
        const body = new URLSearchParams();
        for (const [name, value] of Object.entries(fields)) {
          for (const one of Array.isArray(value) ? value : [value]) body.append(name, one);
        }
        return fetch(new URL(path, url), {
          method: "POST",
          body,
          headers,
          redirect: "manual",
        });
      },
      async close() {
        await running.close();
        await web.close();
        await contextClose();
        await sink.close();
        ws.remove();
      },
    };
  } catch (error) {
    await listening?.close();
    await closeContext?.();
    await sink.close();
    ws.remove();
    throw error;
  }
}

/** The first link of an email's text part that starts with `prefix`. */
export function linkIn(mail: ReceivedMail, prefix: string): string {
  const text = mail.parsed.text ?? "";
  const found = text.split(/\s+/).find((word) => word.startsWith(prefix));
  if (!found) throw new Error(`no ${prefix} link in: ${text}`);
  return found;
}

/** The text a reader sees in a page: tags dropped, whitespace folded. */
export function visibleText(html: string): string {
  return html
    .replace(/<style[\s\S]*?<\/style>/g, "")
    .replace(/<[^>]+>/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}
