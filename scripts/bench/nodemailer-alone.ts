/*
 * Nodemailer alone: the send benchmark's ceiling for any sender built on Nodemailer. Sends one
 * message's bytes COUNT times through a pooled Nodemailer SMTP transport (the one warta uses,
 * with the same pool settings, fed as it drains: one sendMail per free connection), with no
 * store, no personalisation and no queue. Run as a child of the send benchmark:
 *
 *   node --import tsx scripts/bench/nodemailer-alone.ts PORT COUNT FILE CONNECTIONS MESSAGES
 *
 * Prints one line of JSON: the seconds from creating the transport to the last reply (Node
 * start-up and module loading excluded) and the number of messages the server accepted.
 */
import { readFileSync } from "node:fs";
import nodemailer from "nodemailer";

const [port, count, file, connections, messages] = process.argv.slice(2);
const raw = readFileSync(file!);
const total = Number(count);
const started = performance.now();
const transport = nodemailer.createTransport({
  pool: true,
  host: "127.0.0.1",
  port: Number(port),
  maxConnections: Number(connections),
  maxMessages: Number(messages),
});
let next = 0;
let accepted = 0;
async function lane(): Promise<void> {
  while (next < total) {
    next += 1;
    const info = await transport.sendMail({
      envelope: { from: "redaksi@news.example.org", to: "pembaca@example.org" },
      raw,
    });
    accepted += info.accepted.length;
  }
}
await Promise.all(Array.from({ length: Number(connections) }, lane));
const seconds = (performance.now() - started) / 1_000;
transport.close();
console.log(JSON.stringify({ seconds, accepted }));
