import { readFileSync } from "node:fs";
import path from "node:path";
import { simpleParser } from "mailparser";
import { describe, expect, it } from "vitest";
import {
  PersonalizedTemplate,
  placeholders,
  type RecipientValues,
} from "../../src/compose/index.js";
import { OutboxMailer, RawEditionMessage } from "../../src/deliver/index.js";
import type { OutgoingMessage } from "../../src/domain/ports.js";
import { createWorkspace } from "../helpers/workspace.js";

const longUrl =
  "https://news.example.org/unsubscribe?token=eyJzIjoxMjM0NSwiZSI6InPDqXRpYXdhbkBleGFtcGxlLm5ldCJ9.c2lnbmF0dXJlLXRoYXQtaXMtcXVpdGUtbG9uZw==&lang=id&x=1";

const values: RecipientValues = {
  name: "Sétiawan Ñoño",
  greeting: "Halo Sétiawan Ñoño, a=b & c<d>, 2+2=4 ",
  unsubscribe_url: longUrl,
  preferences_url: `${longUrl}&p=1`,
  web_url: "https://news.example.org/edisi/42/",
};

/** Constant text that tests the encoder: long lines, "=", dots, trailing spaces, non-ASCII. */
const filler = [
  "Harga karet naik & petani tersenyum; kopi Kerinci 60% lebih mahal = untung besar.",
  `${"Panjang sekali ".repeat(12)}baris ini, jauh melebihi tujuh puluh enam karakter.`,
  ".Baris yang dimulai dengan titik",
  "Baris dengan spasi di akhir   ",
  "Jambi — “kota” ½ ✓ 日本語 émoji 🚀 ".repeat(4),
  "",
];

const htmlDocument = [
  "<!doctype html><html><body>",
  `<p style="font-family:Arial, sans-serif; color:#333333; line-height:1.5">${placeholders.greeting}</p>`,
  ...filler.map((line) => `<p>${line}</p>`),
  `<a href="${placeholders.web_url}">Versi web</a> | <a href="${placeholders.preferences_url}">Preferensi</a>`,
  `<a href="${placeholders.unsubscribe_url}">Berhenti</a> ${placeholders.name}`,
  "</body></html>",
].join("\n");

const textDocument = [
  placeholders.greeting,
  ...filler,
  `Web: ${placeholders.web_url}`,
  `Berhenti: ${placeholders.unsubscribe_url}`,
  placeholders.name,
].join("\n");

function edition(subject = "Warta Jambi: 15 berita pilihan, harga karet naik ½ — “spesial”") {
  const html = PersonalizedTemplate.compile(htmlDocument, "html");
  const text = PersonalizedTemplate.compile(textDocument, "text");
  const raw = new RawEditionMessage({
    from: "Warta Jambi Redaksi <redaksi@news.example.org>",
    replyTo: "Meja Redaksi <meja@news.example.org>",
    subject,
    headers: {
      "List-Id": "Warta Jambi <warta-jambi.news.example.org>",
      "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
      "X-Warta-Edition": "42",
    },
    html,
    text,
  });
  return { html, text, raw, subject };
}

const date = new Date("2024-05-04T23:00:00Z");
const messageId = "<warta.e42.s7@news.example.org>";
const listUnsubscribe = `<${longUrl}>, <mailto:unsubscribe@news.example.org?subject=unsubscribe%20abc>`;

function build() {
  const compiled = edition();
  const raw = compiled.raw.build({
    to: { address: "setiawan@example.net", name: values.name },
    messageId,
    date,
    headers: { "List-Unsubscribe": listUnsubscribe },
    values,
  });
  return { ...compiled, buffer: raw };
}

describe("raw messages built from a pre-encoded edition", () => {
  it("parse to exactly the values put in", async () => {
    const { html, text, buffer, subject } = build();
    const parsed = await simpleParser(buffer);
    expect(parsed.html).toBe(html.fill(values));
    expect(parsed.text).toBe(text.fill(values));
    // The values really are in there, decoded.
    expect(parsed.html).toContain("Halo Sétiawan Ñoño, a=b &amp; c&lt;d&gt;, 2+2=4 ");
    expect(parsed.html).toContain(longUrl.replace(/&/g, "&amp;"));
    expect(parsed.text).toContain(`Berhenti: ${longUrl}`);
    expect(parsed.subject).toBe(subject);
    expect(parsed.from?.value).toEqual([
      { address: "redaksi@news.example.org", name: "Warta Jambi Redaksi" },
    ]);
    const to = Array.isArray(parsed.to) ? parsed.to[0] : parsed.to;
    expect(to?.value).toEqual([{ address: "setiawan@example.net", name: "Sétiawan Ñoño" }]);
    const replyTo = parsed.replyTo?.value;
    expect(replyTo).toEqual([{ address: "meja@news.example.org", name: "Meja Redaksi" }]);
    expect(parsed.messageId).toBe(messageId);
    expect(parsed.date?.toISOString()).toBe(date.toISOString());
    expect(parsed.headers.get("mime-version")).toBe("1.0");
    expect(parsed.headers.get("x-warta-edition")).toBe("42");
    const header = (name: string) =>
      parsed.headerLines
        .find((line) => line.key === name)
        ?.line.replace(/^[^:]*:\s*/, "")
        .replace(/\r?\n[ \t]/g, " ");
    expect(header("list-unsubscribe")).toBe(listUnsubscribe);
    expect(header("list-unsubscribe-post")).toBe("List-Unsubscribe=One-Click");
    expect(header("list-id")).toBe("Warta Jambi <warta-jambi.news.example.org>");
    expect(parsed.attachments).toHaveLength(0);
  });

  it("encodes the display name and the subject as RFC 2047 words, and folds headers", () => {
    const { buffer } = build();
    const head = buffer.toString("latin1").split("\r\n\r\n")[0]!;
    expect(head).toMatch(
      /^To: =\?UTF-8\?Q\?S=C3=A9tiawan_=C3=91o=C3=B1o\?= <setiawan@example\.net>$/m,
    );
    expect(head).toMatch(
      /^Subject: Warta Jambi: 15 berita pilihan, harga karet naik\r\n =\?UTF-8\?Q\?/m,
    );
    // ASCII only, and nothing but the long URL of List-Unsubscribe over 78 characters.
    expect(/^[\x20-\x7e\r\n\t]*$/.test(head)).toBe(true);
    for (const line of head.split("\r\n")) {
      if (!line.includes(longUrl.slice(0, 40))) expect(line.length, line).toBeLessThanOrEqual(78);
    }
  });

  it("has CRLF line endings everywhere and body lines of at most 76 characters", () => {
    const { buffer } = build();
    const message = buffer.toString("latin1");
    expect(message.endsWith("\r\n")).toBe(true);
    expect(/(^|[^\r])\n/.test(message)).toBe(false);
    expect(/\r(?!\n)/.test(message)).toBe(false);
    const body = message.slice(message.indexOf("\r\n\r\n") + 4);
    for (const line of body.split("\r\n")) {
      expect(line.length, line).toBeLessThanOrEqual(76);
      // Nothing but printable ASCII; no trailing whitespace that a relay could strip.
      expect(/^[\x20-\x7e]*$/.test(line), line).toBe(true);
      expect(/[ \t]$/.test(line), line).toBe(false);
    }
  });

  it("shares the encoded pieces: only the recipient's values differ between messages", async () => {
    const compiled = edition();
    const other: RecipientValues = { ...values, name: "Budi", greeting: "Halo Budi" };
    const raw = compiled.raw.build({
      to: { address: "budi@example.net" },
      messageId: "<warta.e42.s8@news.example.org>",
      date,
      headers: { "List-Unsubscribe": "<https://news.example.org/u?t=1>" },
      values: other,
    });
    const parsed = await simpleParser(raw);
    expect(parsed.html).toBe(compiled.html.fill(other));
    expect(parsed.text).toBe(compiled.text.fill(other));
    const to = Array.isArray(parsed.to) ? parsed.to[0] : parsed.to;
    expect(to?.value).toEqual([{ address: "budi@example.net", name: "" }]);
  });

  it("goes into the outbox as the same bytes", async () => {
    const ws = createWorkspace();
    try {
      const { buffer, html, text, subject } = build();
      const message: OutgoingMessage = {
        from: "Warta Jambi Redaksi <redaksi@news.example.org>",
        to: { address: "setiawan@example.net", name: values.name },
        subject,
        html: html.fill(values),
        text: text.fill(values),
        messageId,
        date,
        headers: {},
        raw: buffer,
      };
      const mailer = new OutboxMailer(path.join(ws.root, "outbox"));
      const receipt = await mailer.send(message);
      await mailer.close();
      expect(receipt.messageId).toBe(messageId);
      expect(readFileSync(receipt.location).equals(buffer)).toBe(true);
    } finally {
      ws.remove();
    }
  });
});
