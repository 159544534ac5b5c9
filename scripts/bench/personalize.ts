/*
 * Personalisation speed: building the messages of one digest variant for BENCH_RECIPIENTS
 * recipients (default 100,000) with PersonalizedTemplate, against the naive way, a full
 * renderDigest per recipient with that recipient's values in the template data, timed on
 * BENCH_SAMPLE recipients (default 30) spread over the same list, in the same run.
 *
 * The variant is 20 generated articles in five categories (10 as cards, the rest headlines,
 * as newsletter.full_articles defaults to). Both ways compute each recipient's signed
 * preferences and unsubscribe links (TokenSigner, subscriberLinks) and their greeting, and
 * both produce the flat HTML and text strings a mailer is handed. The personalised time
 * includes rendering the variant once.
 *
 * It fails (exit code 1) if a personalised message differs by a single byte from the naive
 * one for the same recipient, or if the ratio is under the target of 1,000.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  type DigestRenderOptions,
  escapeHtml,
  groupByCategory,
  PersonalizedTemplate,
  type RecipientValues,
  renderDigest,
  renderDigestForRecipient,
} from "../../src/compose/index.js";
import type { SiteConfig } from "../../src/config/schema.js";
import type { Article, Category } from "../../src/domain/article.js";
import type { DigestContent } from "../../src/domain/digest.js";
import { editionUrl, subscriberLinks, TokenSigner } from "../../src/subscriptions/index.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const TARGET_RATIO = 1_000;

const site: SiteConfig = {
  title: "Warta Jambi",
  description: "Berita pilihan dari Jambi dan sekitarnya, setiap pagi",
  base_url: "https://warta.example.org/",
  language: "id",
  timezone: "Asia/Jakarta",
};
const editionDate = new Date("2024-05-06T23:00:00Z");

const categories: Category[] = [
  { slug: "daerah", name: "Daerah" },
  { slug: "ekonomi", name: "Ekonomi" },
  { slug: "nasional", name: "Nasional" },
  { slug: "olahraga", name: "Olahraga" },
  { slug: "teknologi", name: "Teknologi" },
];
const subjects = [
  "Debit Sungai Batanghari naik, BPBD siagakan posko di tujuh kecamatan",
  "Harga kentang Kerinci anjlok menjelang panen raya, petani minta bantuan",
  "Pemkot Jambi gelar pasar murah di sebelas kelurahan selama sepekan",
  "Batanghari FC tundukkan Kerinci United 2–1 di Stadion Tri Lomba Juang",
  "Kasus DBD meningkat, warga diminta gencarkan gerakan 3M Plus",
];
const names = [
  "Budi Santoso",
  "Siti Nurhaliza",
  "Ani & Co",
  "Raden Ayu Kusumawardhani Sekar Arum Prameswari Wulandari",
  "",
  '<b>"Ani" & Co</b>',
  "Nyoman O'Neil",
];

/** Twenty articles like the samples: long titles, summaries of three sentences, lead images. */
function makeArticles(): Article[] {
  return Array.from({ length: 20 }, (_, i) => {
    const category = categories[i % categories.length]!;
    const published = new Date(editionDate.getTime() - (i + 1) * 45 * 60_000);
    return {
      id: `bench-${i}`,
      sourceId: "newsroom",
      sourceKey: `${category.slug}/artikel-${i}.md`,
      url: `https://warta.example.org/${category.slug}/2024/05/artikel-${i}-${subjects[i % 5]!.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`,
      title: `${subjects[i % subjects.length]!} (${i + 1})`,
      summary:
        "Pemerintah daerah menyiapkan langkah darurat setelah laporan warga masuk sejak Senin pagi. " +
        "Petugas di lapangan mendata kebutuhan dan menyalurkan bantuan ke titik-titik terdampak. " +
        `Warga diminta memantau pengumuman resmi dan tidak mudah percaya kabar yang belum jelas (${i}).`,
      contentHtml: "<p>Isi artikel.</p>",
      contentText: "Isi artikel.",
      author: i % 3 === 0 ? "Redaksi Warta" : "Siti Rahayu",
      categories: [category],
      tags: [],
      language: "id",
      published,
      updated: published,
      contentHash: `hash-${i}`,
      firstSeen: published,
      image:
        i % 4 === 3
          ? undefined
          : {
              url: `/media/2024/05/foto-${i}.jpg`,
              alt: `Foto berita ${i + 1}`,
              width: 1200,
              height: 675,
            },
    };
  });
}

interface Recipient {
  id: number;
  email: string;
  name: string;
}

function recipientAt(i: number): Recipient {
  return { id: i + 1, email: `pelanggan${i}@example.org`, name: names[i % names.length]! };
}

/** What the send job computes per recipient: signed links, the web version, the greeting. */
function valuesFor(recipient: Recipient, tokens: TokenSigner, webUrl: string): RecipientValues {
  const links = subscriberLinks(site.base_url, tokens, recipient, editionDate);
  return {
    name: recipient.name,
    greeting: recipient.name ? `Halo, ${recipient.name}!` : "Halo!",
    unsubscribe_url: links.unsubscribe,
    preferences_url: links.preferences,
    web_url: webUrl,
  };
}

/** Peak resident memory of this process so far, in MB (Linux VmHWM), else resourceUsage. */
function peakMemoryMb(): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
    if (match) return Number(match[1]) / 1024;
  } catch {
    // Not Linux: fall back below.
  }
  return process.resourceUsage().maxRSS / 1024;
}

function fail(message: string): never {
  throw new Error(`bench personalize: ${message}`);
}

export async function run(): Promise<void> {
  const count = Number(process.env.BENCH_RECIPIENTS ?? 100_000);
  const sample = Number(process.env.BENCH_SAMPLE ?? 30);
  const articles = makeArticles();
  const content: DigestContent = {
    sections: groupByCategory(articles, site.language),
    articles,
    periodStart: new Date(editionDate.getTime() - 86_400_000),
    periodEnd: editionDate,
  };
  const options: DigestRenderOptions = {
    site,
    subjectTemplate: "{{site}}: berita {{date}}",
    templatesDir: path.join(repoRoot, "templates"),
    template: "digest.mjml",
    date: editionDate,
    language: "id",
    timezone: "Asia/Jakarta",
    fullArticles: 10,
    maxHtmlBytes: 95_000,
  };
  const tokens = new TokenSigner("bench-secret-bench-secret-bench-secret-0123");
  const webUrl = editionUrl(site.base_url, 4242);

  // Warm up MJML, Handlebars and the HMAC code once, untimed, for both ways alike.
  await renderDigestForRecipient(content, options, valuesFor(recipientAt(0), tokens, webUrl));

  // Personalised: render the variant once, then fill it for every recipient.
  let peakRss = process.memoryUsage().rss;
  let bytes = 0;
  const started = performance.now();
  const variant = await renderDigest(content, options);
  const html = PersonalizedTemplate.compile(variant.html, "html");
  const text = PersonalizedTemplate.compile(variant.text, "text");
  const renderMs = performance.now() - started;
  for (let i = 0; i < count; i++) {
    const values = valuesFor(recipientAt(i), tokens, webUrl);
    // UTF-8 bytes, as Nodemailer takes them; see fillBuffer for why not strings.
    const messageHtml = html.fillBuffer(values);
    const messageText = text.fillBuffer(values);
    bytes += messageHtml.length + messageText.length;
    if (i % 1000 === 0) {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
      if (!messageHtml.includes(`href="${escapeHtml(values.unsubscribe_url)}"`)) {
        fail(`recipient ${i}: the unsubscribe link is missing from the HTML`);
      }
    }
  }
  const personalisedMs = performance.now() - started;
  const personalisedPeakMb = Math.max(peakMemoryMb(), peakRss / 1024 / 1024);

  // For comparison, the same fill as JavaScript strings (fill), flattened by Buffer.byteLength
  // as a mailer would, on the first 2,000 recipients.
  const stringFills = Math.min(count, 2_000);
  let stringBytes = 0;
  const stringStarted = performance.now();
  for (let i = 0; i < stringFills; i++) {
    const values = valuesFor(recipientAt(i), tokens, webUrl);
    stringBytes += Buffer.byteLength(html.fill(values)) + Buffer.byteLength(text.fill(values));
  }
  if (stringBytes <= 0) fail("string fills produced nothing");
  const stringRate = stringFills / ((performance.now() - stringStarted) / 1000);

  // Naive: a full render per recipient, on recipients spread over the same list.
  const step = Math.max(1, Math.floor(count / sample));
  const sampled = Array.from({ length: sample }, (_, k) =>
    recipientAt(Math.min(k * step, count - 1)),
  );
  const naive: Array<{ values: RecipientValues; html: string; text: string }> = [];
  const naiveStarted = performance.now();
  for (const recipient of sampled) {
    const values = valuesFor(recipient, tokens, webUrl);
    const rendered = await renderDigestForRecipient(content, options, values);
    naive.push({ values, html: rendered.html, text: rendered.text });
  }
  const naiveMs = performance.now() - naiveStarted;

  // Both ways must give the same messages, byte for byte, as bytes and as strings.
  for (const [k, message] of naive.entries()) {
    if (
      html.fill(message.values) !== message.html ||
      !html.fillBuffer(message.values).equals(Buffer.from(message.html, "utf8"))
    ) {
      fail(`HTML for sampled recipient ${k} differs from the full render`);
    }
    if (
      text.fill(message.values) !== message.text ||
      !text.fillBuffer(message.values).equals(Buffer.from(message.text, "utf8"))
    ) {
      fail(`text for sampled recipient ${k} differs from the full render`);
    }
  }

  const personalisedRate = count / (personalisedMs / 1000);
  const naiveRate = sample / (naiveMs / 1000);
  const ratio = personalisedRate / naiveRate;
  console.log(
    `variant: ${articles.length} articles (${variant.fullArticles} cards, ${variant.headlines} headlines), ` +
      `HTML ${Buffer.byteLength(variant.html)} bytes with placeholders; rendered once in ${renderMs.toFixed(0)} ms`,
  );
  console.log(
    `personalised: ${count} messages in ${(personalisedMs / 1000).toFixed(2)} s, ` +
      `${personalisedRate.toFixed(0)} messages/s (${(bytes / count / 1024).toFixed(1)} KiB per message, html + text)`,
  );
  console.log(
    `  (the same as strings with fill(), on ${stringFills} recipients: ${stringRate.toFixed(0)} messages/s)`,
  );
  console.log(
    `naive (renderDigest per recipient): ${sample} messages in ${(naiveMs / 1000).toFixed(2)} s, ` +
      `${naiveRate.toFixed(1)} messages/s`,
  );
  console.log(`ratio personalised/naive: ${ratio.toFixed(0)} (target >= ${TARGET_RATIO})`);
  console.log(
    `peak resident memory after the personalised run: ${personalisedPeakMb.toFixed(0)} MB`,
  );
  console.log(`sampled messages identical to the full renders: ${naive.length} of ${sample}`);
  if (ratio < TARGET_RATIO) fail(`ratio ${ratio.toFixed(0)} is under the target ${TARGET_RATIO}`);
}

// Run directly (npx tsx scripts/bench/personalize.ts): argv[1] may be relative, so resolve it.
if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  await run();
}
