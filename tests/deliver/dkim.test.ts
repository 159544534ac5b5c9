import { spawnSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { existsSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { PersonalizedTemplate } from "../../src/compose/index.js";
import {
  OutboxMailer,
  RawEditionMessage,
  SmtpMailer,
  ThreadedSmtpMailer,
} from "../../src/deliver/index.js";
import type { OutgoingMessage } from "../../src/domain/ports.js";
import { type SmtpSink, startSmtpSink } from "../helpers/smtp.js";
import { createWorkspace, repoRoot, type Workspace } from "../helpers/workspace.js";

const verifier = path.join(repoRoot, "tests/fixtures/scripts/dkim-verify.py");

/** A fresh RSA key pair and the DNS TXT record that publishes its public half. */
function keyPair() {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const spki = publicKey.export({ type: "spki", format: "der" }).toString("base64");
  return {
    privateKey: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    record: `v=DKIM1; k=rsa; p=${spki}`,
  };
}

/** Verifies with Debian's dkimpy (python3-dkim): "pass" or "fail". */
function verify(raw: string, record: string): string {
  if (!existsSync("/usr/bin/python3"))
    throw new Error("python3 is missing: apt-get install python3");
  const run = spawnSync(
    "/usr/bin/python3",
    [verifier, "warta._domainkey.news.example.org", record],
    { input: raw, encoding: "utf8" },
  );
  if (run.status === 3) {
    throw new Error("python3 has no dkim module: install it with `apt-get install python3-dkim`");
  }
  return run.stdout.trim();
}

function message(): OutgoingMessage {
  return {
    from: "Warta Jambi <redaksi@news.example.org>",
    to: { address: "budi@example.net", name: "Budi" },
    subject: "Warta Jambi: 3 berita pilihan",
    html: "<p>Harga karet naik &amp; petani tersenyum</p>",
    text: "Harga karet naik & petani tersenyum\n",
    messageId: "<warta.e1.s1@news.example.org>",
    date: new Date("2024-05-04T23:00:00Z"),
    headers: {
      "List-Id": "Warta Jambi <warta-jambi.news.example.org>",
      "List-Unsubscribe": "<https://news.example.org/unsubscribe?token=abc>",
      "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    },
  };
}

/** The same message built the way the sender builds digests: pre-encoded MIME, sent raw. */
function rawMessage(): OutgoingMessage {
  const structured = message();
  const edition = new RawEditionMessage({
    from: structured.from,
    subject: structured.subject,
    headers: {
      "List-Id": structured.headers["List-Id"]!,
      "List-Unsubscribe-Post": structured.headers["List-Unsubscribe-Post"]!,
    },
    html: PersonalizedTemplate.compile(structured.html as string, "html"),
    text: PersonalizedTemplate.compile(structured.text as string, "text"),
  });
  const raw = edition.build({
    to: structured.to,
    messageId: structured.messageId,
    date: structured.date,
    headers: { "List-Unsubscribe": structured.headers["List-Unsubscribe"]! },
    values: {},
  });
  return { ...structured, raw };
}

const builds = { structured: message, raw: rawMessage };

describe.each(["structured", "raw"] as const)("mail authentication (%s message)", (kind) => {
  let sink: SmtpSink | undefined;
  let ws: Workspace | undefined;
  afterEach(async () => {
    await sink?.close();
    ws?.remove();
  });

  it.each([
    ["in-process", SmtpMailer],
    ["in its own thread", ThreadedSmtpMailer],
  ] as const)(
    "signs every message with DKIM so that the published public key verifies it, over SMTP (Nodemailer %s)",
    async (_, Mailer) => {
      sink = await startSmtpSink();
      const { privateKey, record } = keyPair();
      const mailer = new Mailer(
        {
          url: sink.url,
          host: "127.0.0.1",
          port: sink.port,
          secure: false,
          tlsRejectUnauthorized: false,
        },
        {
          envelopeFrom: "bounces@news.example.org",
          dkim: { domain: "news.example.org", selector: "warta", privateKey },
        },
      );
      await mailer.send(builds[kind]());
      await mailer.close();
      const [received] = sink.messages;
      expect(received).toBeDefined();
      // The header as sent, unfolded.
      const header = /^DKIM-Signature:(.*(?:\r\n[ \t].*)*)/m
        .exec(received!.raw)?.[1]
        ?.replace(/\r\n[ \t]/g, " ");
      expect(header).toBeDefined();
      expect(header).toMatch(/\bd=news\.example\.org;/);
      expect(header).toMatch(/\bs=warta;/);
      expect(header).toMatch(/\bh=[^;]*List-Unsubscribe-Post/i);
      expect(verify(received!.raw, record)).toBe("pass");

      // The verifier is not a rubber stamp: a changed body, or another key, fails.
      const tampered = received!.raw.replace("petani tersenyum", "petani menangis");
      expect(tampered).not.toBe(received!.raw);
      expect(verify(tampered, record)).toBe("fail");
      expect(verify(received!.raw, keyPair().record)).toBe("fail");

      // Bounces go to the configured envelope sender, not to the From address.
      expect(received!.envelopeFrom).toBe("bounces@news.example.org");
      expect(received!.envelopeTo).toEqual(["budi@example.net"]);
    },
  );

  it("signs the .eml files of the outbox too", async () => {
    ws = createWorkspace();
    const { privateKey, record } = keyPair();
    const mailer = new OutboxMailer(path.join(ws.root, "outbox"), {
      dkim: { domain: "news.example.org", selector: "warta", privateKey },
    });
    const receipt = await mailer.send(builds[kind]());
    await mailer.close();
    const { readFileSync } = await import("node:fs");
    expect(verify(readFileSync(receipt.location, "utf8"), record)).toBe("pass");
  });
});
