/*
 * The thread behind ThreadedSmtpMailer: an SmtpMailer (Nodemailer's pooled transports) that
 * sends what the main thread posts and posts back each receipt or error. See smtp-thread.ts.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { OutgoingMessage } from "../domain/ports.js";
import { SmtpMailer } from "./smtp.js";
import {
  type FromThread,
  type ThreadSettings,
  type ToThread,
  toThreadError,
} from "./smtp-thread-protocol.js";

const port = parentPort;
if (!port) throw new Error("deliver: smtp thread: not started as a worker thread");
const { servers, signing, pool } = workerData as ThreadSettings;
const mailer = new SmtpMailer(servers, signing, pool);

port.on("message", (request: ToThread) => {
  if (request.type === "close") {
    void mailer.close().then(() => {
      port.postMessage({ type: "closed" } satisfies FromThread);
      port.close();
    });
    return;
  }
  const { id } = request;
  const { raw, date, ...fields } = request.message;
  const message: OutgoingMessage = { ...fields, date: new Date(date) };
  // Bytes arrive as a Uint8Array: Nodemailer wants a Buffer over the same memory.
  if (raw) message.raw = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  mailer.send(message).then(
    (receipt) => port.postMessage({ type: "sent", id, receipt } satisfies FromThread),
    (error: unknown) =>
      port.postMessage({ type: "failed", id, error: toThreadError(error) } satisfies FromThread),
  );
});
