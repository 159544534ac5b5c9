/** Builders of digest inputs for the compose tests: every call returns fresh objects. */
import { fileURLToPath } from "node:url";
import {
  type DigestRenderOptions,
  groupByCategory,
  type RecipientValues,
} from "../../src/compose/index.js";
import type { SiteConfig } from "../../src/config/schema.js";
import type { Article, Category } from "../../src/domain/article.js";
import type { DigestContent } from "../../src/domain/digest.js";

export const templatesDir = fileURLToPath(new URL("../../templates", import.meta.url));

/** 2024-05-04 10:00 in Jakarta (UTC+7). */
export const editionDate = new Date("2024-05-04T03:00:00Z");

export const ekonomi: Category = { slug: "ekonomi", name: "Ekonomi" };
export const olahraga: Category = { slug: "olahraga", name: "Olahraga" };
export const budaya: Category = { slug: "budaya", name: "Budaya & Seni" };

export function makeSite(overrides: Partial<SiteConfig> = {}): SiteConfig {
  return {
    title: "Warta Kita",
    description: "Berita pilihan setiap pagi",
    base_url: "https://warta.example.org/",
    language: "id",
    timezone: "Asia/Jakarta",
    ...overrides,
  };
}

export function makeArticle(id: string, overrides: Partial<Article> = {}): Article {
  return {
    id,
    sourceId: "newsroom",
    sourceKey: `${id}.md`,
    url: `https://warta.example.org/berita/${id}`,
    title: `Artikel ${id}`,
    summary: `Ringkasan artikel ${id}.`,
    contentHtml: `<p>Isi ${id}</p>`,
    contentText: `Isi ${id}`,
    categories: [],
    tags: [],
    language: "id",
    published: new Date("2024-05-03T01:00:00Z"),
    updated: new Date("2024-05-03T01:00:00Z"),
    contentHash: `hash-${id}`,
    firstSeen: new Date("2024-05-03T02:00:00Z"),
    ...overrides,
  };
}

/** Three articles in three categories, with titles that need escaping. */
export function makeArticles(): Article[] {
  return [
    makeArticle("rupiah", {
      title: "Rupiah & IHSG <turun> di pekan kedua",
      url: "https://warta.example.org/berita/rupiah?id=7&ref=mail",
      categories: [ekonomi],
      published: new Date("2024-05-03T23:00:00Z"),
      author: "Siti Rahayu",
      image: { url: "/media/rupiah.jpg", alt: "Uang kertas rupiah", width: 1200, height: 800 },
    }),
    makeArticle("timnas", {
      title: "Timnas U-23 menang 2–1: “Kami siap”",
      categories: [olahraga, ekonomi],
      published: new Date("2024-05-04T01:30:00Z"),
    }),
    makeArticle("tari", {
      title: "Pentas tari Saman & gamelan di Café Señor",
      categories: [budaya],
      published: new Date("2024-05-02T12:00:00Z"),
      summary: "",
    }),
  ];
}

/**
 * `count` articles with long summaries and lead images, in four categories, one hour apart
 * (article 0 the newest).
 */
export function makeLongArticles(count: number): Article[] {
  const categories = [ekonomi, olahraga, budaya, { slug: "daerah", name: "Daerah" }];
  return Array.from({ length: count }, (_, i) =>
    makeArticle(`panjang-${i}`, {
      title: `Berita nomor ${i}: pemerintah daerah umumkan program baru untuk warga desa`,
      summary: `${"Pemerintah kabupaten menyiapkan anggaran tambahan untuk perbaikan jalan desa, jembatan gantung dan saluran irigasi menjelang musim tanam. ".repeat(5)}(${i})`,
      categories: [categories[i % categories.length]!],
      author: "Redaksi Warta",
      published: new Date(Date.parse("2024-05-04T02:00:00Z") - i * 3_600_000),
      image: {
        url: `https://cdn.warta.example.org/media/2024/05/foto-berita-${i}.jpg`,
        alt: `Foto berita nomor ${i}`,
        width: 1600,
        height: 900,
      },
    }),
  );
}

export function makeContent(articles: Article[], language = "id"): DigestContent {
  return {
    sections: groupByCategory(articles, language),
    articles,
    periodStart: new Date("2024-05-02T00:00:00Z"),
    periodEnd: editionDate,
  };
}

export function makeOptions(overrides: Partial<DigestRenderOptions> = {}): DigestRenderOptions {
  return {
    site: makeSite(),
    subjectTemplate: "{{site}}: berita {{date}} ({{count}} artikel)",
    templatesDir,
    template: "digest.mjml",
    date: editionDate,
    fullArticles: 10,
    maxHtmlBytes: 95_000,
    ...overrides,
  };
}

/** One recipient's values, with links that carry a query string. */
export function makeRecipient(overrides: Partial<RecipientValues> = {}): RecipientValues {
  return {
    name: "Budi",
    greeting: "Halo, Budi!",
    unsubscribe_url: "https://warta.example.org/unsubscribe?token=manage.1a.tag.0.sig",
    preferences_url: "https://warta.example.org/preferences?token=manage.1a.tag.0.sig",
    web_url: "https://warta.example.org/newsletter/42/",
    ...overrides,
  };
}

/** The worst case the size limit is about: 250-character links and a 60-character name. */
export function makeLongRecipient(): RecipientValues {
  const name = "Raden Ayu Kusumawardhani Sekar Arum Prameswari Wulandari Putri".slice(0, 60);
  const link = (page: string) => {
    const start = `https://warta.example.org/${page}?token=`;
    return start + "a".repeat(250 - start.length);
  };
  return {
    name,
    greeting: `Halo, ${name}!`,
    unsubscribe_url: link("unsubscribe"),
    preferences_url: link("preferences"),
    web_url: link("newsletter/123456/"),
  };
}
