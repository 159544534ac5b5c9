import { load } from "cheerio";
import { afterEach, describe, expect, it } from "vitest";
import { SmtpMailer } from "../../src/deliver/index.js";
import type { Subscriber } from "../../src/domain/subscriber.js";
import { TokenSigner } from "../../src/subscriptions/tokens.js";
import { type SmtpSink, startSmtpSink } from "../helpers/smtp.js";
import { type DigestHarness, openDigestHarness, story, testSecret } from "./digest-harness.js";

/** The private-use characters that delimit personalisation placeholders. */
const placeholderMark = /[\uE000\uE001]/;

function smtpMailer(sink: SmtpSink): SmtpMailer {
  return new SmtpMailer({
    url: sink.url,
    host: "127.0.0.1",
    port: sink.port,
    secure: false,
    tlsRejectUnauthorized: false,
  });
}

/** The token of a link to one of the site's pages, verified as a reader's click would be. */
function verifiedLink(href: string, page: string, subscriber: Subscriber, now: Date) {
  const url = new URL(href);
  expect(url.origin + url.pathname).toBe(`https://news.example.org/${page}`);
  const signer = new TokenSigner(testSecret);
  const claims = signer.verify(url.searchParams.get("token") ?? "", "manage", now);
  expect(claims.subscriberId).toBe(subscriber.id);
  expect(claims.addressTag).toBe(signer.addressTag(subscriber.email));
  return claims;
}

describe("sending personalised digests over SMTP", () => {
  let h: DigestHarness | undefined;
  let sink: SmtpSink | undefined;
  afterEach(async () => {
    await h?.close();
    await sink?.close();
    h = undefined;
    sink = undefined;
  });

  it("sends each reader their own links and list headers, with a stable Message-ID", async () => {
    h = await openDigestHarness({
      newsletter: { unsubscribe_mailto: "berhenti@news.example.org" },
      mail: { from: "Warta Uji <redaksi@news.example.org>" },
    });
    sink = await startSmtpSink();
    await h.collect("2024-05-04T02:00:00Z", story("karet", { title: "Harga Karet & <Sawit>" }));
    h.setNow("2024-05-04T03:00:00Z");
    const siti = await h.subscribe({
      email: "siti@example.org",
      name: 'Siti "<b>Aminah</b>" & Co',
    });
    const budi = await h.subscribe({ email: "budi@example.com" });
    await h.compose({ byHand: true });
    const queued = await h.deliveries();
    h.setNow("2024-05-04T03:05:00Z");
    const summary = await h.send(smtpMailer(sink));
    expect(summary).toMatchObject({ sent: 2, failed: 0, left: 0 });
    expect(sink.messages).toHaveLength(2);

    const sentAt = h.now();
    for (const subscriber of [siti, budi]) {
      const mail = sink.messages.find((m) => m.envelopeTo[0] === subscriber.email)!;
      const { parsed, raw } = mail;
      expect(placeholderMark.test(raw)).toBe(false);
      expect(placeholderMark.test(`${parsed.subject}${parsed.html}${parsed.text}`)).toBe(false);

      // The Message-ID is the one queued with the delivery, not made up at sending.
      const stored = queued.find((d) => d.subscriber_id === subscriber.id)!;
      expect(parsed.messageId).toBe(stored.message_id);
      expect(parsed.date?.getTime()).toBe(sentAt.getTime());
      expect(parsed.from?.value[0]?.address).toBe("redaksi@news.example.org");
      const header = (name: string) =>
        parsed.headerLines
          .find((line) => line.key === name)
          ?.line.replace(/\r?\n\s+/g, " ")
          .replace(/^[^:]+:\s*/, "");
      expect(header("list-id")).toBe("Warta Uji <warta-uji.news.example.org>");
      expect(header("list-unsubscribe-post")).toBe("List-Unsubscribe=One-Click");
      const unsubscribe = [...(header("list-unsubscribe") ?? "").matchAll(/<([^>]+)>/g)].map(
        (m) => m[1]!,
      );
      expect(unsubscribe).toHaveLength(2);
      const https = verifiedLink(unsubscribe[0]!, "unsubscribe", subscriber, sentAt);
      const mailto = new URL(unsubscribe[1]!);
      expect(mailto.protocol).toBe("mailto:");
      expect(mailto.pathname).toBe("berhenti@news.example.org");
      const subject = decodeURIComponent(mailto.searchParams.get("subject") ?? "");
      const token = subject.replace(/^unsubscribe /, "");
      expect(new TokenSigner(testSecret).verify(token, "manage", sentAt)).toEqual(https);

      // The links in the body are this reader's, and verify.
      const $ = load(parsed.html as string);
      const hrefs = $("a")
        .map((_, a) => $(a).attr("href"))
        .get();
      const own = (page: string) =>
        hrefs.filter((href) => href.startsWith(`https://news.example.org/${page}?`));
      expect(own("unsubscribe").length).toBeGreaterThan(0);
      expect(own("preferences").length).toBeGreaterThan(0);
      for (const href of own("unsubscribe")) verifiedLink(href, "unsubscribe", subscriber, sentAt);
      for (const href of own("preferences")) verifiedLink(href, "preferences", subscriber, sentAt);
      expect(parsed.text).toContain(unsubscribe[0]);
    }

    // A name is shown as text, never as markup.
    const sitiMail = sink.messages.find((m) => m.envelopeTo[0] === siti.email)!.parsed;
    const $ = load(sitiMail.html as string);
    expect($("b").filter((_, b) => $(b).text() === "Aminah")).toHaveLength(0);
    expect($("body").text()).toContain('Siti "<b>Aminah</b>" & Co');
    expect(sitiMail.text).toContain('Siti "<b>Aminah</b>" & Co');
    const budiMail = sink.messages.find((m) => m.envelopeTo[0] === budi.email)!.parsed;
    expect(budiMail.text).not.toContain("Aminah");
    expect($("body").text()).toContain("Harga Karet & <Sawit>");
  });

  it("leaves out the mailto unsubscribe address when none is configured", async () => {
    h = await openDigestHarness();
    sink = await startSmtpSink();
    await h.collect("2024-05-04T02:00:00Z", story("karet"));
    h.setNow("2024-05-04T03:00:00Z");
    await h.subscribe({ email: "ani@example.org" });
    await h.compose({ byHand: true });
    await h.send(smtpMailer(sink));
    const line = sink.messages[0]!.parsed.headerLines.find((l) => l.key === "list-unsubscribe");
    expect(line?.line).toMatch(/<https:\/\/news\.example\.org\/unsubscribe\?token=[^>]+>\s*$/);
    expect(line?.line).not.toContain("mailto:");
  });

  it("keeps the Message-ID across a transport failure, bounces per recipient, and skips who left", async () => {
    h = await openDigestHarness();
    await h.collect("2024-05-04T02:00:00Z", story("karet"));
    h.setNow("2024-05-04T03:00:00Z");
    const ani = await h.subscribe({ email: "ani@example.org" });
    const refused = await h.subscribe({ email: "ditolak@example.com" });
    const leaver = await h.subscribe({ email: "pergi@example.org" });
    await h.compose({ byHand: true });
    const queued = await h.deliveries();

    // The server is down: everything is deferred, to be retried after the back-off.
    const down = await startSmtpSink();
    const downMailer = smtpMailer(down);
    await down.close();
    const failed = await h.send(downMailer);
    expect(failed).toMatchObject({ sent: 0, deferred: 3, left: 3 });
    expect((await h.deliveries()).map((d) => d.status)).toEqual([
      "deferred",
      "deferred",
      "deferred",
    ]);
    await downMailer.close();

    // The reader unsubscribes before the retry: their message is not sent.
    await h.subscribers.setStatus(leaver.id, "unsubscribed", h.now());
    sink = await startSmtpSink({ reject: (rcpt) => rcpt === "ditolak@example.com" });
    // Not due yet: nothing goes out before the back-off has passed.
    const early = await h.send(smtpMailer(sink));
    expect(early).toMatchObject({ sent: 0, bounced: 0, left: 2 });
    expect(sink.messages).toHaveLength(0);

    h.setNow("2024-05-04T03:05:00Z");
    const later = await h.send(smtpMailer(sink));
    expect(later).toMatchObject({ sent: 1, bounced: 1, failed: 0, left: 0 });
    expect(sink.messages.map((m) => m.envelopeTo[0])).toEqual(["ani@example.org"]);
    expect(sink.messages[0]!.parsed.messageId).toBe(
      queued.find((d) => d.subscriber_id === ani.id)!.message_id,
    );
    const statuses = Object.fromEntries(
      (await h.deliveries()).map((d) => [d.subscriber_id, d.status]),
    );
    expect(statuses[leaver.id]).toBe("deferred");
    expect(statuses[refused.id]).toBe("bounced");
    expect(Object.values(statuses).sort()).toEqual(["bounced", "deferred", "sent"]);

    // Nothing more goes out on the next run.
    h.setNow("2024-05-04T05:00:00Z");
    const again = await h.send(smtpMailer(sink));
    expect(again).toMatchObject({ sent: 0, failed: 0, bounced: 0 });
    expect(sink.messages).toHaveLength(1);
  });
});
