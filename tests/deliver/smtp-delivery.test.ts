import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { runWarta } from "../helpers/cli.js";
import { type SmtpSink, startSmtpSink } from "../helpers/smtp.js";
import { createWorkspace, type Workspace, workspaceConfig } from "../helpers/workspace.js";

const stories = [
  {
    file: "ekonomi/karet.md",
    title: "Harga Karet Naik & Petani Tersenyum",
    category: "Ekonomi",
    date: "2024-05-03 09:00",
    slug: "harga-karet-naik",
  },
  {
    file: "olahraga/persijam.md",
    title: "Persijam Menang 2-1 di Stadion Tri Lomba Juang",
    category: "Olahraga",
    date: "2024-05-04 16:30",
    slug: "persijam-menang",
  },
  {
    file: "teknologi/startup.md",
    title: "Startup Jambi Raih Pendanaan <Seri A>",
    category: "Teknologi",
    date: "2024-05-05 10:15",
    slug: "startup-jambi-seri-a",
  },
  {
    file: "ekonomi/rubber.md",
    title: "Rubber Prices Rise & Farmers Smile",
    category: "Ekonomi",
    date: "2024-05-03 10:00",
    slug: "rubber-prices-rise",
    language: "en",
  },
];
const indonesian = stories.filter((story) => !story.language);
const english = stories.filter((story) => story.language === "en");

describe("delivery over SMTP", () => {
  let ws: Workspace | undefined;
  let sink: SmtpSink | undefined;
  afterEach(async () => {
    ws?.remove();
    await sink?.close();
  });

  it("delivers the digest to every subscriber through a real SMTP server", async () => {
    sink = await startSmtpSink({ reject: (rcpt) => rcpt === "ditolak@example.com" });
    ws = createWorkspace();
    for (const story of stories) {
      ws.writeArticle(
        story.file,
        `---\ntitle: "${story.title}"\ndate: ${story.date}\ncategories: [${story.category}]\nslug: ${story.slug}\n${story.language ? `language: ${story.language}\n` : ""}---\n\nParagraf pertama berita ${story.slug}.\n\nParagraf kedua.\n`,
      );
    }
    writeFileSync(
      path.join(ws.root, "subscribers.csv"),
      "email,name,language\nsiti@example.org,Siti Aminah,id\nditolak@example.com,Ditolak,id\nJohn@Example.com,John Doe,en\n",
    );
    const config = ws.writeConfig(
      workspaceConfig({
        newsletter: {
          subscribers_file: "../subscribers.csv",
          subject: "{{site}}: {{count}} berita",
          unsubscribe_mailto: "berhenti@news.example.org",
        },
        mail: { from: "Warta Uji <redaksi@news.example.org>" },
      }),
    );
    const env = { WARTA_SMTP_URL: sink.url };
    expect((await runWarta(["collect", "--config", config], { cwd: ws.root, env })).code).toBe(0);
    const digest = await runWarta(["digest", "--config", config], { cwd: ws.root, env });

    // One address is refused by the server (550): it bounces and is reported, the others go;
    // a bounce is the address's fault, not the run's.
    expect(digest.code).toBe(0);
    expect(digest.stdout).toContain("send: 2 message(s) delivered via smtp, 1 bounced");
    expect(digest.stdout).toContain("ditolak@example.com");
    expect(sink.messages).toHaveLength(2);

    const byRecipient = new Map(sink.messages.map((m) => [m.envelopeTo[0], m]));
    expect([...byRecipient.keys()].sort()).toEqual(["john@example.com", "siti@example.org"]);
    const siti = byRecipient.get("siti@example.org")!;
    expect(siti.envelopeFrom).toBe("redaksi@news.example.org");
    const mail = siti.parsed;
    expect(mail.from?.value[0]).toEqual({ address: "redaksi@news.example.org", name: "Warta Uji" });
    expect(Array.isArray(mail.to) ? null : mail.to?.value[0]).toEqual({
      address: "siti@example.org",
      name: "Siti Aminah",
    });
    expect(mail.subject).toBe("Warta Uji: 3 berita");
    // The Message-ID names the edition and the subscriber, so a retry carries the same one.
    expect(mail.messageId).toMatch(/^<warta\.e\d+\.s\d+@news\.example\.org>$/);
    expect(mail.date).toBeInstanceOf(Date);
    const header = (name: string) =>
      mail.headerLines.find((h) => h.key === name)?.line.replace(/\r?\n\s+/g, " ");
    expect(header("list-id")).toMatch(/^List-Id: Warta Uji <warta-uji\.news\.example\.org>$/i);
    expect(header("list-unsubscribe")).toMatch(
      /^List-Unsubscribe: <https:\/\/news\.example\.org\/unsubscribe\?token=[^>]+>, <mailto:berhenti@news\.example\.org\?subject=unsubscribe%20[^>]+>$/i,
    );
    expect(header("list-unsubscribe-post")).toMatch(
      /^List-Unsubscribe-Post: List-Unsubscribe=One-Click$/i,
    );
    const html = mail.html as string;
    const text = mail.text ?? "";
    for (const story of indonesian) {
      const url = `https://news.example.org/artikel/${story.slug}/`;
      expect(html).toContain(`href="${url}"`);
      expect(text).toContain(url);
      expect(text).toContain(story.title);
    }
    expect(html).toContain("Harga Karet Naik &amp; Petani Tersenyum");
    expect(html).toContain("Startup Jambi Raih Pendanaan &lt;Seri A&gt;");
    expect(text).not.toContain(english[0]!.title);

    // The English reader gets the English story only, in an edition of their own.
    const john = byRecipient.get("john@example.com")!.parsed;
    expect(john.subject).toBe("Warta Uji: 1 berita");
    expect(john.text).toContain(english[0]!.title);
    for (const story of indonesian) expect(john.text).not.toContain(story.title);
    expect(john.html).toContain("Rubber Prices Rise &amp; Farmers Smile");
    for (const received of sink.messages) {
      expect(/[\uE000\uE001]/.test(received.raw)).toBe(false);
    }
    // Two recipients get distinct Message-IDs.
    expect(new Set(sink.messages.map((m) => m.parsed.messageId)).size).toBe(2);

    // Nothing is left queued, and the refused address is not retried by a later send.
    const again = await runWarta(["send", "--config", config], { cwd: ws.root, env });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("send: 0 message(s) delivered");
    expect(sink.messages).toHaveLength(2);
  });

  it("defers the deliveries when the SMTP server is down, and sends them after the back-off", async () => {
    ws = createWorkspace();
    ws.writeArticle(
      "a.md",
      "---\ntitle: Banjir di Muara Bungo\ndate: 2024-05-04 08:00\n---\n\nAir naik.\n",
    );
    writeFileSync(
      path.join(ws.root, "subscribers.csv"),
      "email\nani@example.org\nbudi@example.com\n",
    );
    const config = ws.writeConfig(
      workspaceConfig({
        newsletter: { subscribers_file: "../subscribers.csv" },
        mail: { retry_base_seconds: 1 },
      }),
    );
    sink = await startSmtpSink();
    const downUrl = sink.url;
    await sink.close();
    await runWarta(["collect", "--config", config], { cwd: ws.root });
    const down = await runWarta(["digest", "--config", config], {
      cwd: ws.root,
      env: { WARTA_SMTP_URL: downUrl },
    });
    expect(down.code).toBe(1);
    expect(down.stdout).toContain("2 still queued");

    expect(down.stdout).toContain("2 deferred");

    sink = await startSmtpSink();
    // The next run sends them once their retry time (about a second here) has come.
    let later = await runWarta(["send", "--config", config], {
      cwd: ws.root,
      env: { WARTA_SMTP_URL: sink.url },
    });
    for (let run = 0; run < 10 && sink.messages.length < 2; run += 1) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      later = await runWarta(["send", "--config", config], {
        cwd: ws.root,
        env: { WARTA_SMTP_URL: sink.url },
      });
    }
    expect(later.code).toBe(0);
    expect(sink.messages.map((m) => m.envelopeTo[0]).sort()).toEqual([
      "ani@example.org",
      "budi@example.com",
    ]);
  });
});
