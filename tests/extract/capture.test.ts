import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseCapture } from "../../src/extract/capture.js";
import { isAppError } from "../../src/shared/errors.js";
import { thrownBy } from "../helpers/errors.js";

function readCapture(name: string): string {
  return readFileSync(new URL(`../fixtures/captures/${name}`, import.meta.url), "utf8");
}

/** The calendar date of an instant in a zone, as YYYY-MM-DD. */
function calendarDate(date: Date | undefined, timezone: string): string | undefined {
  return date && new Intl.DateTimeFormat("en-CA", { timeZone: timezone }).format(date);
}

function headingsOf(html: string): string[] {
  return [...html.matchAll(/<h2>(.*?)<\/h2>/g)].map((m) => m[1]!);
}

function paragraphsOf(html: string): string[] {
  return [...html.matchAll(/<p>(.*?)<\/p>/g)].map((m) => m[1]!);
}

describe("parseCapture on a real Oerban.com page", () => {
  const draft = () =>
    parseCapture(readCapture("oerban-kazakhstan-turki.txt"), {
      timezone: "Asia/Jakarta",
      language: "id",
    });

  it("finds the headline between the date and the body", () => {
    expect(draft().title).toBe("Kazakhstan Incar Kerja Sama Militer dengan Turki");
  });

  it("reads the 'Sabtu, Mei 4, 2024' date line as 4 May 2024 in Jakarta", () => {
    const published = draft().published;
    expect(calendarDate(published, "Asia/Jakarta")).toBe("2024-05-04");
    expect(published?.toISOString()).toBe("2024-05-03T17:00:00.000Z");
  });

  it("takes the dateline place and the source credit", () => {
    expect(draft().dateline).toBe("Astana");
    expect(draft().credit).toBe("Daily Sabah");
  });

  it("recognises both sub-headings as h2, in order", () => {
    expect(headingsOf(draft().contentHtml)).toEqual([
      "Peluang Kerja ama",
      "Beralih ke Standar NATO",
    ]);
  });

  it("keeps the 25 body paragraphs, the first with its dateline", () => {
    const paragraphs = paragraphsOf(draft().contentHtml);
    expect(paragraphs).toHaveLength(25);
    expect(paragraphs[0]).toBe(
      "Astana, Oerban.com – Kepala Asosiasi Perusahaan Industri Kazakhstan, Aibek Baryssov mengatakan negaranya mengincar kerja sama dengan Turki di sektor militer.",
    );
    expect(paragraphs[24]).toBe(
      "“Kami memiliki potensi besar, kompetensi yang kuat. Kami telah menunjukkan ini di beberapa perusahaan di mana kami telah melakukan transfer teknologi lengkap dan kemudian memproduksi model yang ditingkatkan, lebih baik daripada prototipe. Ini tugas yang sulit untuk sepenuhnya melakukan transfer seperti itu, tetapi kami telah melakukannya itu, dan kami siap melakukan hal yang sama untuk barang militer apa pun,” katanya.",
    );
  });

  it("puts paragraphs and headings in contentText one per line, in page order", () => {
    const lines = draft().contentText.split("\n");
    expect(lines).toHaveLength(27);
    // Nine paragraphs come before the first heading, ten more before the second.
    expect(lines[9]).toBe("Peluang Kerja ama");
    expect(lines[10]).toBe(
      "Baryssov mengatakan asosiasi ingin meningkatkan kerja sama dengan Turki.",
    );
    expect(lines[20]).toBe("Beralih ke Standar NATO");
  });

  it("summarises with the first paragraph, after its dateline", () => {
    expect(draft().summary).toBe(
      "Kepala Asosiasi Perusahaan Industri Kazakhstan, Aibek Baryssov mengatakan negaranya mengincar kerja sama dengan Turki di sektor militer.",
    );
  });

  it("leaves out all of the site's furniture", () => {
    const { contentText, contentHtml } = draft();
    const furniture = [
      "email",
      "protected",
      "28.4",
      "Jambi City",
      "Advertisement",
      "spot_img",
      "Populer",
      "Baca juga",
      "Turki dan Yunani Tandatangani LoI",
      "Erdogan: Turki Berkontribusi",
      "Sumber: Daily Sabah",
      "Daily Sabah",
      "Artikel Lainnya",
      "TINGGALKAN KOMENTAR",
      "Silakan masukkan",
      "Berita Terbaru",
      "Sabtu, Mei 4, 2024",
      "Kazakhstan Incar Kerja Sama Militer dengan Turki",
    ];
    for (const text of furniture) {
      expect(contentText, text).not.toContain(text);
      expect(contentHtml, text).not.toContain(text);
    }
  });

  it("passes the language through and finds no author or tags on this page", () => {
    expect(draft().language).toBe("id");
    expect(draft().author).toBeUndefined();
    expect(draft().tags).toEqual([]);
    expect(draft().categories).toEqual([]);
  });
});

describe("parseCapture on an English wire story", () => {
  const draft = () =>
    parseCapture(readCapture("english-reuters-drones.txt"), { timezone: "Europe/Amsterdam" });

  it("finds the headline above the byline and the date", () => {
    expect(draft().title).toBe("Kazakhstan and Turkey Eye Joint Drone Production");
  });

  it("reads 'Saturday, May 4, 2024 3:05 pm' in the source's zone (CEST, UTC+2)", () => {
    expect(draft().published?.toISOString()).toBe("2024-05-04T13:05:00.000Z");
  });

  it("reads the byline, the Reuters dateline, the credit and the tags", () => {
    const d = draft();
    expect(d.author).toBe("Aigerim Sadykova");
    expect(d.dateline).toBe("Astana");
    expect(d.credit).toBe("Reuters");
    expect(d.tags).toEqual(["Kazakhstan", "Turkey", "defence"]);
  });

  it("keeps four paragraphs and one heading, without 'Read also' links or ads", () => {
    expect(draft().contentText.split("\n")).toEqual([
      "ASTANA (Reuters) - Kazakhstan wants to assemble Turkish drones at home and could later build them from scratch, the head of its defence industry association said on Saturday.",
      "The association groups some forty companies, from armoured vehicle makers to software houses that write fire-control code.",
      "What Comes Next",
      "Officials from both countries are expected to meet in Ankara before the end of the year, according to two people familiar with the plans.",
      '"We are ready when the time is right," he said.',
    ]);
    expect(headingsOf(draft().contentHtml)).toEqual(["What Comes Next"]);
  });

  it("escapes quotes in the HTML body", () => {
    expect(draft().contentHtml).toContain(
      "<p>&quot;We are ready when the time is right,&quot; he said.</p>",
    );
  });

  it("stops before the comment form and the sidebar", () => {
    const { contentText } = draft();
    for (const text of [
      "Leave a reply",
      "Please enter",
      "Most Popular",
      "Oil prices",
      "Source:",
      "Tags:",
      "Share",
    ]) {
      expect(contentText, text).not.toContain(text);
    }
  });

  it("summarises without the dateline", () => {
    expect(draft().summary).toBe(
      "Kazakhstan wants to assemble Turkish drones at home and could later build them from scratch, the head of its defence industry association said on Saturday.",
    );
  });
});

describe("parseCapture on a Kompas-style page", () => {
  const draft = () =>
    parseCapture(readCapture("kompas-harga-beras.txt"), { timezone: "Asia/Jakarta" });

  it("finds the headline among menu items and the site's name", () => {
    expect(draft().title).toBe("Harga Beras Premium Turun di Pasar Induk Cipinang");
  });

  it("reads the dd/mm/yyyy date with its WIB time after the site's name", () => {
    expect(draft().published?.toISOString()).toBe("2024-05-04T03:15:00.000Z");
  });

  it("takes the author from 'Penulis:' and not from 'Editor:'", () => {
    expect(draft().author).toBe("Rina Ayu Larasati");
  });

  it("reads the 'Jakarta, Kompas.com -' dateline", () => {
    expect(draft().dateline).toBe("Jakarta");
  });

  it("ends the body at the Editor line and reads the tags after it", () => {
    const d = draft();
    expect(d.contentText.split("\n")).toEqual([
      "Jakarta, Kompas.com - Harga beras premium di Pasar Induk Beras Cipinang, Jakarta Timur, turun dalam sepekan terakhir seiring masuknya panen raya di sejumlah daerah.",
      "Kepala pasar mengatakan pasokan beras yang masuk mencapai 4.000 ton per hari, lebih tinggi dibandingkan bulan lalu.",
      "Pasokan dari Jawa Tengah",
      "Sebagian besar pasokan datang dari Demak, Grobogan, dan Sragen, yang sudah memasuki puncak panen sejak pertengahan April.",
      "Pedagang berharap harga tetap stabil hingga Iduladha.",
    ]);
    expect(d.tags).toEqual(["beras", "harga beras", "Cipinang"]);
  });

  it("has no credit when the page names no source", () => {
    expect(draft().credit).toBeUndefined();
  });

  it("leaves out the caption, promotions and related links", () => {
    const { contentText } = draft();
    for (const text of [
      "Ilustrasi",
      "Foto:",
      "Baca juga",
      "Scroll to continue",
      "Dapatkan update",
      "Stok Beras Bulog",
      "Terpopuler",
      "Bagikan",
    ]) {
      expect(contentText, text).not.toContain(text);
    }
  });
});

describe("parseCapture on another page of the same theme", () => {
  const draft = () =>
    parseCapture(readCapture("oerban-style-uzbekistan.txt"), { timezone: "Asia/Jakarta" });

  it("finds the headline below the category label and the date", () => {
    expect(draft().title).toBe(
      "Uzbekistan dan Turki Sepakati Produksi Bersama Kendaraan Lapis Baja",
    );
    expect(calendarDate(draft().published, "Asia/Jakarta")).toBe("2024-06-10");
  });

  it("reads the 'Oleh' byline, the dateline, the credit and the one-per-line tags", () => {
    const d = draft();
    expect(d.author).toBe("Redaksi");
    expect(d.dateline).toBe("Tashkent");
    expect(d.credit).toBe("Anadolu Agency");
    expect(d.tags).toEqual(["Turki", "Uzbekistan"]);
  });

  it("keeps three paragraphs and the sub-heading between them", () => {
    const d = draft();
    expect(paragraphsOf(d.contentHtml)).toHaveLength(3);
    expect(headingsOf(d.contentHtml)).toEqual(["Tahap Pertama"]);
    expect(d.contentText.split("\n")[3]).toBe(
      "Produksi tahap pertama ditargetkan dimulai tahun depan dengan kapasitas 50 unit per tahun.",
    );
  });

  it("leaves out the share buttons, caption, weather, navigation and comment form", () => {
    const { contentText } = draft();
    for (const text of [
      "Facebook",
      "WhatsApp",
      "Foto:",
      "31.2",
      "Pekanbaru",
      "Baca Juga",
      "Previous article",
      "Erdogan",
      "RELATED",
      "LEAVE A REPLY",
      "Please enter",
      "Oleh Redaksi",
    ]) {
      expect(contentText, text).not.toContain(text);
    }
  });
});

describe("parseCapture on other layouts", () => {
  it("keeps a paragraph that merely starts with 'Related'", () => {
    const text = [
      "Oil Prices Slip as Traders Weigh Talks",
      "Oil prices slipped on Monday as traders weighed the chance of a ceasefire in the Middle East.",
      "Related coverage of the talks showed little progress, analysts at two banks said in notes to clients.",
    ].join("\n");
    expect(parseCapture(text, { timezone: "UTC" }).contentText.split("\n")).toHaveLength(2);
  });

  it("keeps a headline that contains a date", () => {
    const text = [
      "Senin, 11 Maret 2024",
      "Jadwal Imsakiyah Jakarta 12 Maret 2024",
      "Jakarta - Berikut jadwal imsakiyah untuk wilayah DKI Jakarta pada hari kedua bulan Ramadhan tahun ini.",
      "Waktu imsak jatuh pada pukul 04.28 WIB dan subuh pukul 04.38 WIB.",
    ].join("\n");
    const d = parseCapture(text, { timezone: "Asia/Jakarta" });
    expect(d.title).toBe("Jadwal Imsakiyah Jakarta 12 Maret 2024");
    expect(d.published?.toISOString()).toBe("2024-03-10T17:00:00.000Z");
    expect(d.dateline).toBe("Jakarta");
    expect(d.contentText.split("\n")).toHaveLength(2);
  });

  it("takes a question as the headline when nothing else can be one", () => {
    const text = [
      "Mengapa Harga Beras Terus Naik Padahal Panen Raya Sudah Tiba?",
      "Harga beras di sejumlah pasar tradisional masih bertahan tinggi meskipun panen raya sudah berlangsung di banyak daerah.",
      "Para pedagang menyebut pasokan dari penggilingan belum kembali normal sejak awal tahun.",
    ].join("\n");
    const d = parseCapture(text, { timezone: "Asia/Jakarta" });
    expect(d.title).toBe("Mengapa Harga Beras Terus Naik Padahal Panen Raya Sudah Tiba?");
    expect(d.contentText.split("\n")).toHaveLength(2);
  });

  it("drops a short line left alone at the end of the body rather than making it a heading", () => {
    const text = [
      "Harga Cabai Rawit Naik Jelang Iduladha",
      "Harga cabai rawit merah di pasar tradisional naik hampir dua kali lipat dalam sepekan terakhir.",
      "Pedagang memperkirakan harga baru akan turun setelah hari raya.",
      "Video Pilihan",
    ].join("\n");
    const d = parseCapture(text, { timezone: "Asia/Jakarta" });
    expect(headingsOf(d.contentHtml)).toEqual([]);
    expect(d.contentText).not.toContain("Video Pilihan");
  });

  it("cuts a long first paragraph to about 300 characters at a word boundary", () => {
    const sentence =
      "Pemerintah daerah menyiapkan anggaran tambahan untuk perbaikan jalan yang rusak akibat banjir. ";
    const text = ["Anggaran Perbaikan Jalan Ditambah Tahun Ini", sentence.repeat(5)].join("\n");
    const summary = parseCapture(text, { timezone: "Asia/Jakarta" }).summary ?? "";
    expect(summary.length).toBeLessThanOrEqual(301);
    expect(summary.endsWith("…")).toBe(true);
    // The cut falls between words: what precedes the ellipsis is a whole word of the text.
    const lastWord = summary.slice(0, -1).split(" ").at(-1);
    expect(sentence.split(" ")).toContain(lastWord);
  });
});

describe("parseCapture failures", () => {
  it("throws PARSE_CAPTURE naming both the title and the body when the page has neither", () => {
    const error = thrownBy(() =>
      parseCapture(readCapture("no-article.txt"), { timezone: "Asia/Jakarta" }),
    );
    expect(isAppError(error, "PARSE_CAPTURE")).toBe(true);
    expect((error as Error).message).toMatch(/^capture: /);
    expect((error as Error).message).toContain("no title");
    expect((error as Error).message).toContain("no article body");
  });

  it("names only the body when a headline is found but no prose", () => {
    const text = [
      "Halaman Tidak Ditemukan di Situs Ini",
      "Kembali ke beranda",
      "Berita Terbaru",
    ].join("\n");
    const error = thrownBy(() => parseCapture(text, { timezone: "Asia/Jakarta" }));
    expect(isAppError(error, "PARSE_CAPTURE")).toBe(true);
    expect((error as Error).message).toContain("no article body");
    expect((error as Error).message).not.toContain("no title");
  });

  it("throws PARSE_CAPTURE for an empty capture", () => {
    expect(
      isAppError(
        thrownBy(() => parseCapture("", { timezone: "Asia/Jakarta" })),
        "PARSE_CAPTURE",
      ),
    ).toBe(true);
  });
});
