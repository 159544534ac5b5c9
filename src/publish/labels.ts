/** Words the feed titles, the OPML file and the index page are written with. */
export interface Labels {
  /** Suffix of a summary feed's title: "Warta (ringkasan)". */
  summaries: string;
  /** Title suffix of the editions feed: "Warta: edisi buletin". */
  editions: string;
  /** Heading of each group of feeds. */
  groups: Record<"site" | "category" | "author" | "editions" | "archive", string>;
  fullText: string;
  summaryOnly: string;
  /** Title of the index page and of the OPML file: "<site>: <feedsTitle>". */
  feedsTitle: string;
  /** Sentence above the lists of the index page. */
  intro: string;
  opmlLink: string;
  newsletterPage: string;
}

const LABELS: Readonly<Record<string, Labels>> = {
  id: {
    summaries: "ringkasan",
    editions: "edisi buletin",
    groups: {
      site: "Semua berita",
      category: "Per kategori",
      author: "Per penulis",
      editions: "Buletin",
      archive: "Arsip bulanan",
    },
    fullText: "teks lengkap",
    summaryOnly: "ringkasan",
    feedsTitle: "umpan berita",
    intro:
      "Berlangganan berita situs ini dengan aplikasi pembaca umpan (RSS, Atom atau JSON Feed).",
    opmlLink: "Semua umpan dalam satu berkas OPML",
    newsletterPage: "Versi web",
  },
  en: {
    summaries: "summaries",
    editions: "newsletter editions",
    groups: {
      site: "All news",
      category: "By category",
      author: "By author",
      editions: "Newsletter",
      archive: "Monthly archives",
    },
    fullText: "full text",
    summaryOnly: "summaries",
    feedsTitle: "feeds",
    intro: "Follow this site's news in a feed reader (RSS, Atom or JSON Feed).",
    opmlLink: "Every feed in one OPML file",
    newsletterPage: "Web version",
  },
};

/** The labels of a language (by its primary subtag), English when it has none. */
export function labelsFor(language: string): Labels {
  const primary = language.toLowerCase().split("-")[0] ?? "";
  return LABELS[primary] ?? (LABELS.en as Labels);
}
