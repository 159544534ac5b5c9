import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import type { Mailer, OutgoingMessage, SendReceipt } from "../domain/ports.js";
import { AppError, errorMessage } from "../shared/errors.js";
import type { MailerSigning } from "./message.js";
import type { SmtpPoolSettings, SmtpSettings } from "./smtp.js";
import {
  type FromThread,
  fromThreadError,
  type ThreadSettings,
  type ToThread,
  toThreadMessage,
} from "./smtp-thread-protocol.js";

/**
 * Starts the thread's module, beside this one: built JavaScript, or, when warta runs from its
 * TypeScript sources (the tests), the TypeScript module after tsx's loader is registered in the
 * thread (a thread does not inherit the loader of the one that starts it).
 */
function startThread(workerData: ThreadSettings): Worker {
  if (!import.meta.url.endsWith(".ts")) {
    return new Worker(new URL("./smtp-thread-worker.js", import.meta.url), { workerData });
  }
  const tsx = createRequire(import.meta.url)
    .resolve("tsx/esm/api")
    .replace(/\.cjs$/, ".mjs");
  const module = new URL("./smtp-thread-worker.ts", import.meta.url).href;
  const code = `import(${JSON.stringify(pathToFileURL(tsx).href)}).then(({ register }) => {
    register();
    return import(${JSON.stringify(module)});
  });`;
  return new Worker(code, { eval: true, workerData });
}

/** A send waiting for the thread's answer. */
interface Waiting {
  resolve: (receipt: SendReceipt) => void;
  reject: (error: Error) => void;
}

/**
 * SmtpMailer in a thread of its own. Sending a digest is two parts of about equal cost: warta
 * claims, personalises and records each message, and Nodemailer's pooled transport speaks SMTP
 * (escaping the data stream, writing the socket, reading replies). In one thread they take
 * turns; here Nodemailer runs beside the rest, on another core. Everything else stays as with
 * SmtpMailer: the same pools, failover, DKIM, the same errors (their codes, texts and SMTP
 * replies cross over), and at most `concurrency` messages in flight, since the sender awaits
 * each result before it records it.
 *
 * The thread starts with the first message and holds the process open only while messages are
 * in flight. Should it die, the messages it held fail as transport errors (deferred, retried
 * later), and the next message starts a new one.
 * @example new ThreadedSmtpMailer([primary, backup], signing, { maxConnections: 5 })
 */
export class ThreadedSmtpMailer implements Mailer {
  readonly kind = "smtp";
  readonly concurrency: number;
  private readonly settings: ThreadSettings;
  private worker: Worker | undefined;
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  private closed = false;

  constructor(
    servers: SmtpSettings | SmtpSettings[],
    signing: MailerSigning = {},
    pool: Partial<Omit<SmtpPoolSettings, "now">> = {},
  ) {
    const list = Array.isArray(servers) ? servers : [servers];
    if (list.length === 0) throw new Error("deliver: smtp: no server given");
    this.settings = { servers: list, signing, pool };
    this.concurrency = (pool.maxConnections ?? 5) * list.length;
  }

  send(message: OutgoingMessage): Promise<SendReceipt> {
    if (this.closed) return Promise.reject(new Error("deliver: smtp: the mailer is closed"));
    const worker = this.thread();
    const id = this.nextId;
    this.nextId += 1;
    return new Promise<SendReceipt>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      if (this.waiting.size === 1) worker.ref();
      worker.postMessage({
        type: "send",
        id,
        message: toThreadMessage(message),
      } satisfies ToThread);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    if (!worker) return;
    worker.ref();
    // The thread closes its pools and says so; it is ended after a while in any case.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => void worker.terminate(), 10_000);
      worker.once("exit", () => {
        clearTimeout(timer);
        resolve();
      });
      worker.postMessage({ type: "close" } satisfies ToThread);
    });
  }

  /** The running thread, started when there is none. */
  private thread(): Worker {
    if (this.worker) return this.worker;
    const worker = startThread(this.settings);
    worker.unref();
    worker.on("message", (reply: FromThread) => {
      if (reply.type === "closed") return;
      const waiting = this.waiting.get(reply.id);
      if (!waiting) return;
      this.waiting.delete(reply.id);
      if (this.waiting.size === 0) worker.unref();
      if (reply.type === "sent") waiting.resolve(reply.receipt);
      else waiting.reject(fromThreadError(reply.error));
    });
    worker.on("error", (error) => this.lost(worker, errorMessage(error)));
    worker.on("exit", (code) => this.lost(worker, `it exited with code ${code}`));
    this.worker = worker;
    return worker;
  }

  /** The thread is gone: what it held failed in transit, and the next message starts another. */
  private lost(worker: Worker, why: string): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    for (const waiting of this.waiting.values()) {
      waiting.reject(
        new AppError("SMTP_CONNECT", `deliver: smtp: the sending thread stopped: ${why}`),
      );
    }
    this.waiting.clear();
  }
}
