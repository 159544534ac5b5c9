import { afterEach, describe, expect, it } from "vitest";
import { ThreadedSmtpMailer } from "../../src/deliver/index.js";
import type { OutgoingMessage } from "../../src/domain/ports.js";
import { isAppError } from "../../src/shared/errors.js";
import { type SmtpSink, startSmtpSink } from "../helpers/smtp.js";

let sink: SmtpSink | undefined;
const mailers: ThreadedSmtpMailer[] = [];

afterEach(async () => {
  for (const mailer of mailers.splice(0)) await mailer.close();
  await sink?.close();
  sink = undefined;
});

function message(to: string): OutgoingMessage {
  return {
    from: "Warta Jambi <redaksi@news.example.org>",
    to: { address: to, name: "Budi Santoso" },
    subject: "Warta pagi",
    html: "<p>Harga cabai turun</p>",
    text: "Harga cabai turun\n",
    messageId: `<t.${to}@news.example.org>`,
    date: new Date("2024-05-04T03:00:00Z"),
    headers: { "List-Id": "Warta Jambi <warta-jambi.news.example.org>" },
  };
}

describe("Nodemailer in its own thread", () => {
  it("sends structured and raw messages, with their receipts, many at once", async () => {
    sink = await startSmtpSink();
    const mailer = new ThreadedSmtpMailer(
      { host: "127.0.0.1", port: sink.port, secure: false, tlsRejectUnauthorized: false },
      {},
      { maxConnections: 3 },
    );
    mailers.push(mailer);
    expect(mailer.concurrency).toBe(3);
    const raw = Buffer.from(
      "From: redaksi@news.example.org\r\nTo: sari@example.org\r\nSubject: mentah\r\n" +
        "Message-ID: <raw.1@news.example.org>\r\n\r\nbadan pesan\r\n",
    );
    const receipts = await Promise.all([
      ...["a@example.org", "b@example.org", "c@example.org", "d@example.org"].map((to) =>
        mailer.send(message(to)),
      ),
      mailer.send({ ...message("sari@example.org"), messageId: "<raw.1@news.example.org>", raw }),
    ]);
    expect(receipts.map((r) => r.messageId)).toEqual([
      "<t.a@example.org@news.example.org>",
      "<t.b@example.org@news.example.org>",
      "<t.c@example.org@news.example.org>",
      "<t.d@example.org@news.example.org>",
      "<raw.1@news.example.org>",
    ]);
    for (const receipt of receipts) expect(receipt.response).toMatch(/^250 /);
    expect(receipts[0]!.location).toBe(`smtp 127.0.0.1:${sink.port}`);
    expect(sink.messages.map((m) => m.envelopeTo[0]).sort()).toEqual([
      "a@example.org",
      "b@example.org",
      "c@example.org",
      "d@example.org",
      "sari@example.org",
    ]);
    // The raw bytes go out as they are; the structured ones are composed in the thread.
    const rawReceived = sink.messages.find((m) => m.envelopeTo[0] === "sari@example.org");
    expect(rawReceived?.raw).toContain("Subject: mentah\r\n");
    expect(rawReceived?.raw).toContain("badan pesan");
    const composed = sink.messages.find((m) => m.envelopeTo[0] === "a@example.org");
    expect(composed?.raw).toContain("Subject: Warta pagi");
    expect(composed?.raw).toMatch(/^List-Id: Warta Jambi/im);
  });

  it("keeps the SMTP reply of a refusal on the error that crosses back", async () => {
    sink = await startSmtpSink({ reject: (recipient) => recipient === "ditolak@example.org" });
    const mailer = new ThreadedSmtpMailer(
      { host: "127.0.0.1", port: sink.port, secure: false, tlsRejectUnauthorized: false },
      {},
      { maxConnections: 1 },
    );
    mailers.push(mailer);
    const error = await mailer.send(message("ditolak@example.org")).then(
      () => undefined,
      (cause: unknown) => cause,
    );
    expect(isAppError(error, "SMTP_REJECTED")).toBe(true);
    expect((error as Error).message).toContain(`smtp 127.0.0.1:${sink.port}`);
    expect(
      ((error as Error).cause as { responseCode?: number }).responseCode,
    ).toBeGreaterThanOrEqual(500);
    // The connection is fine: the next message goes out.
    expect((await mailer.send(message("boleh@example.org"))).response).toMatch(/^250 /);
  });

  it("fails the messages of a thread that stops as transport errors, and starts another for the next", async () => {
    // A server URL that cannot be parsed stops the thread as it starts.
    const mailer = new ThreadedSmtpMailer({
      url: "smtp://[bukan-alamat",
      host: "127.0.0.1",
      port: 25,
      secure: false,
      tlsRejectUnauthorized: false,
    });
    mailers.push(mailer);
    for (let round = 0; round < 2; round += 1) {
      const error = await mailer.send(message("a@example.org")).then(
        () => undefined,
        (cause: unknown) => cause,
      );
      expect(isAppError(error, "SMTP_CONNECT")).toBe(true);
      expect((error as Error).message).toMatch(/sending thread stopped: .*Invalid URL/);
    }
  });

  it("refuses to send once closed", async () => {
    const mailer = new ThreadedSmtpMailer({
      host: "127.0.0.1",
      port: 25,
      secure: false,
      tlsRejectUnauthorized: false,
    });
    await mailer.close();
    await expect(mailer.send(message("a@example.org"))).rejects.toThrow(/closed/);
  });
});
