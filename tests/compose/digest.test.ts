import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { load } from "cheerio";
import { afterEach, describe, expect, it } from "vitest";
import {
  formatDate,
  groupByCategory,
  PersonalizedTemplate,
  renderDigest,
  renderDigestText,
} from "../../src/compose/index.js";
import type { DigestContent } from "../../src/domain/digest.js";
import { isAppError } from "../../src/shared/errors.js";
import {
  budaya,
  editionDate,
  ekonomi,
  makeArticle,
  makeArticles,
  makeContent,
  makeOptions,
  makeRecipient,
  makeSite,
  olahraga,
  templatesDir,
} from "./fixtures.js";

describe("renderDigest with the shipped templates", () => {
  it("shows every title, escaped, in a heading linked to the article URL", async () => {
    const articles = makeArticles();
    const digest = await renderDigest(makeContent(articles), makeOptions());
    const $ = load(digest.html);

    for (const article of articles) {
      const links = $("h3 a").filter((_, el) => $(el).text() === article.title);
      expect(links.length, article.title).toBe(1);
      expect(links.attr("href")).toBe(article.url);
      const hrefs = $("a")
        .map((_, el) => $(el).attr("href"))
        .get();
      // Title link and "Baca selengkapnya" link.
      expect(hrefs.filter((href) => href === article.url).length).toBeGreaterThanOrEqual(2);
    }
    expect(digest.html).toContain("Rupiah &amp; IHSG &lt;turun&gt; di pekan kedua");
    expect(digest.html).not.toContain("<turun>");
    expect($("a").filter((_, el) => $(el).text().startsWith("Baca selengkapnya")).length).toBe(3);
  });

  it("includes the partials: header, styles, one card per article and the footer", async () => {
    const articles = makeArticles();
    const digest = await renderDigest(makeContent(articles), makeOptions());
    const $ = load(digest.html);

    expect($(".warta-header a").first().text()).toBe("Warta Kita");
    expect($(".warta-header a").first().attr("href")).toBe("https://warta.example.org/");
    expect($(".warta-article").length).toBe(articles.length);
    expect($(".warta-footer").text()).toContain(
      "Anda menerima email ini karena berlangganan Warta Kita.",
    );
    expect($('head meta[name="color-scheme"]').attr("content")).toBe("light dark");
    expect($("head style").text()).toContain("prefers-color-scheme: dark");
    expect($("title").text()).toBe(digest.subject);
  });

  it("dates the edition in the site language and time zone", async () => {
    const digest = await renderDigest(makeContent(makeArticles()), makeOptions());
    const $ = load(digest.html);
    expect($(".warta-edition").text()).toContain("Sabtu, 4 Mei 2024");
    expect($(".warta-edition time").attr("datetime")).toBe("2024-05-04");
    expect(digest.text.split("\n")[1]).toBe("Sabtu, 4 Mei 2024 · 3 artikel");
  });

  it("fills the subject template without HTML escaping", async () => {
    const site = makeSite({ title: "Warta & Kabar" });
    const digest = await renderDigest(makeContent(makeArticles()), makeOptions({ site }));
    expect(digest.subject).toBe("Warta & Kabar: berita Sabtu, 4 Mei 2024 (3 artikel)");
  });

  it("lists sections under their headings, newest section first", async () => {
    const articles = makeArticles();
    const digest = await renderDigest(makeContent(articles), makeOptions());
    const $ = load(digest.html);
    // Timnas (newest, 4 May 01:30Z) is filed under its first category, Olahraga; rupiah
    // (3 May 23:00Z) under Ekonomi; tari (2 May) under Budaya & Seni.
    const order = $("h2, h3")
      .map((_, el) => $(el).text().trim())
      .get();
    expect(order).toEqual([
      "Olahraga",
      "Timnas U-23 menang 2–1: “Kami siap”",
      "Ekonomi",
      "Rupiah & IHSG <turun> di pekan kedua",
      "Budaya & Seni",
      "Pentas tari Saman & gamelan di Café Señor",
    ]);
  });

  it("shows the lead image with an absolute URL, alt text and scaled size", async () => {
    const digest = await renderDigest(makeContent(makeArticles()), makeOptions());
    const $ = load(digest.html);
    const images = $(".warta-article img");
    expect(images.length).toBe(1);
    expect(images.attr("src")).toBe("https://warta.example.org/media/rupiah.jpg");
    expect(images.attr("alt")).toBe("Uang kertas rupiah");
    // 1200x800 scaled to the 552px content width: 800 * 552 / 1200 = 368.
    expect(images.attr("width")).toBe("552");
    expect(images.attr("height")).toBe("368");
  });

  it("always links preferences and unsubscribe, filled per recipient", async () => {
    const digest = await renderDigest(makeContent(makeArticles()), makeOptions());
    const recipient = makeRecipient();
    const $ = load(PersonalizedTemplate.compile(digest.html, "html").fill(recipient));
    expect($(".warta-unsubscribe").attr("href")).toBe(recipient.unsubscribe_url);
    expect($(".warta-unsubscribe").text()).toBe("Berhenti berlangganan");
    expect($(".warta-preferences").attr("href")).toBe(recipient.preferences_url);
    expect($(".warta-preferences").text()).toBe("Atur preferensi");
    const text = PersonalizedTemplate.compile(digest.text, "text").fill(recipient);
    expect(text.split("\n")).toContain(`Berhenti berlangganan: ${recipient.unsubscribe_url}`);
    expect(text.split("\n")).toContain(`Atur preferensi: ${recipient.preferences_url}`);
  });

  it("uses English strings for an English site", async () => {
    const articles = [
      makeArticle("storm", { title: "Storm closes harbour", categories: [] }),
      makeArticle("vote", {
        title: "Council vote",
        categories: [{ slug: "politics", name: "Politics" }],
      }),
    ];
    const site = makeSite({ language: "en", title: "Daily" });
    const content: DigestContent = {
      sections: groupByCategory(articles, "en"),
      articles,
      periodStart: null,
      periodEnd: editionDate,
    };
    const digest = await renderDigest(content, makeOptions({ site }));
    const $ = load(digest.html);
    expect($("html").attr("lang")).toBe("en");
    expect(
      $("h2")
        .map((_, el) => $(el).text())
        .get(),
    ).toEqual(["Other", "Politics"]);
    expect($("a").filter((_, el) => $(el).text().startsWith("Read more")).length).toBe(2);
    expect(["Saturday, 4 May 2024", "Saturday, May 4, 2024"]).toContain(
      digest.text.split("\n")[1]?.replace(" · 2 articles", ""),
    );
  });
});

describe("renderDigestText", () => {
  it("lists headings, titles, dates, summaries and URLs as plain text", () => {
    const articles = makeArticles();
    const text = renderDigestText(makeContent(articles), {
      site: makeSite(),
      date: editionDate,
    });
    const lines = text.split("\n");
    expect(lines[0]).toBe("Warta Kita");
    for (const heading of ["Olahraga", "Ekonomi", "Budaya & Seni"]) {
      expect(lines).toContain(heading);
    }
    for (const article of articles) {
      expect(lines).toContain(article.title);
      expect(lines).toContain(`Baca selengkapnya: ${article.url}`);
    }
    expect(lines).toContain("Ringkasan artikel timnas.");
    // Rupiah was published 3 May 23:00 UTC, already 4 May in Jakarta.
    expect(lines).toContain("4 Mei 2024 · Siti Rahayu");
    expect(lines).toContain("Anda menerima email ini karena berlangganan Warta Kita.");
    expect(text).not.toContain("&amp;");
    expect(text).not.toContain("<a");
    // Headings come in section order.
    const positions = ["Olahraga", "Ekonomi", "Budaya & Seni"].map((h) => lines.indexOf(h));
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });
});

describe("groupByCategory", () => {
  it("files each article once under its first category, sections by newest article", () => {
    const a = makeArticle("a", {
      categories: [ekonomi],
      published: new Date("2024-05-01T00:00:00Z"),
    });
    const b = makeArticle("b", {
      categories: [olahraga, ekonomi],
      published: new Date("2024-05-03T00:00:00Z"),
    });
    const c = makeArticle("c", {
      categories: [budaya],
      published: new Date("2024-05-02T00:00:00Z"),
    });
    const d = makeArticle("d", {
      categories: [ekonomi],
      published: new Date("2024-05-04T00:00:00Z"),
    });
    const e = makeArticle("e", { categories: [], published: new Date("2024-04-30T00:00:00Z") });

    const sections = groupByCategory([a, b, c, d, e, a], "id");

    expect(sections.map((s) => s.category)).toEqual([
      ekonomi,
      olahraga,
      budaya,
      { slug: "lainnya", name: "Lainnya" },
    ]);
    expect(sections.map((s) => s.articles.map((x) => x.id))).toEqual([
      ["d", "a"],
      ["b"],
      ["c"],
      ["e"],
    ]);
  });

  it("names the section of uncategorised articles in English for en", () => {
    const sections = groupByCategory([makeArticle("x")], "en");
    expect(sections[0]?.category.name).toBe("Other");
  });
});

describe("formatDate", () => {
  it("formats in the given language and time zone", () => {
    // 20:00 UTC on Friday 3 May is 03:00 on Saturday 4 May in Jakarta.
    const date = new Date("2024-05-03T20:00:00Z");
    expect(formatDate(date, "id", "Asia/Jakarta")).toBe("Sabtu, 4 Mei 2024");
    expect(formatDate(date, "id", "UTC")).toBe("Jumat, 3 Mei 2024");
    expect(["Saturday, 4 May 2024", "Saturday, May 4, 2024"]).toContain(
      formatDate(date, "en", "Asia/Jakarta"),
    );
  });
});

describe("template errors", () => {
  const folders: string[] = [];
  afterEach(async () => {
    await Promise.all(folders.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });

  /** Writes the given files into a fresh temporary templates folder. */
  async function makeTemplates(files: Record<string, string>): Promise<string> {
    const dir = await mkdtemp(path.join(tmpdir(), "warta-templates-"));
    folders.push(dir);
    for (const [name, text] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
      await writeFile(path.join(dir, name), text);
    }
    return dir;
  }

  /** A minimal valid layout that includes partials/card.mjml once per article. */
  const layoutLines = [
    "<mjml>",
    "  <mj-head>",
    "    <mj-title>{{subject}}</mj-title>",
    "  </mj-head>",
    "  <mj-body>",
    "    {{#each sections}}",
    "    {{#each articles}}",
    '    <mj-include path="partials/card.mjml" />',
    "    {{/each}}",
    "    {{/each}}",
    '    <mj-section><mj-column><mj-text>{{site.title}} <a class="out" href="{{recipient.unsubscribe_url}}">x</a></mj-text></mj-column></mj-section>',
    "  </mj-body>",
    "</mjml>",
  ];
  const cardLines = [
    "<mj-section>",
    "  <mj-column>",
    '    <mj-text><a href="{{url}}">{{title}}</a></mj-text>',
    "  </mj-column>",
    "</mj-section>",
  ];

  async function renderWith(files: Record<string, string>) {
    const dir = await makeTemplates(files);
    return renderDigest(makeContent(makeArticles()), makeOptions({ templatesDir: dir }));
  }

  async function expectAppError(promise: Promise<unknown>, code: string): Promise<Error> {
    const error = await promise.then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(isAppError(error), String(error)).toBe(true);
    expect((error as { code: string }).code).toBe(code);
    return error as Error;
  }

  it("renders a minimal layout whose partial uses the data of each article", async () => {
    const digest = await renderWith({
      "digest.mjml": layoutLines.join("\n"),
      "partials/card.mjml": cardLines.join("\n"),
    });
    const $ = load(digest.html);
    expect(
      $("a:not(.out)")
        .map((_, el) => $(el).attr("href"))
        .get(),
    ).toEqual([
      "https://warta.example.org/berita/timnas",
      "https://warta.example.org/berita/rupiah?id=7&ref=mail",
      "https://warta.example.org/berita/tari",
    ]);
  });

  it("reports a missing partial as TEMPLATE_READ naming the file", async () => {
    const error = await expectAppError(
      renderWith({ "digest.mjml": layoutLines.join("\n") }),
      "TEMPLATE_READ",
    );
    expect(error.message).toContain("partials/card.mjml");
    expect(error.message).toContain(
      `digest.mjml:${layoutLines.indexOf('    <mj-include path="partials/card.mjml" />') + 1}`,
    );
  });

  it("reports a missing layout as TEMPLATE_READ naming the file", async () => {
    const dir = await makeTemplates({});
    const error = await expectAppError(
      renderDigest(
        makeContent(makeArticles()),
        makeOptions({ templatesDir: dir, template: "nope.mjml" }),
      ),
      "TEMPLATE_READ",
    );
    expect(error.message).toContain("nope.mjml");
  });

  it("reports a Handlebars syntax error in a partial as TEMPLATE_RENDER with file and line", async () => {
    const broken = [...cardLines];
    broken[2] = '    <mj-text>{{#if title}}<a href="{{url}}">{{title}}</a>{{/each}}</mj-text>';
    const error = await expectAppError(
      renderWith({
        "digest.mjml": layoutLines.join("\n"),
        "partials/card.mjml": broken.join("\n"),
      }),
      "TEMPLATE_RENDER",
    );
    expect(error.message).toContain("partials/card.mjml:3");
  });

  it("reports a misspelt field as TEMPLATE_RENDER with file and line", async () => {
    const layout = [...layoutLines];
    const footerLine = layout.findIndex((line) => line.includes("{{site.title}}"));
    layout[footerLine] = layout[footerLine]!.replace("{{site.title}}", "{{site.titel}}");
    const error = await expectAppError(
      renderWith({ "digest.mjml": layout.join("\n"), "partials/card.mjml": cardLines.join("\n") }),
      "TEMPLATE_RENDER",
    );
    expect(error.message).toContain(`digest.mjml:${footerLine + 1}`);
    expect(error.message).toContain("titel");
  });

  it("reports invalid MJML in a partial as MJML_INVALID with file and line", async () => {
    const broken = [...cardLines];
    broken[3] = '  </mj-column><mj-column bogus="yes"><mj-text>x</mj-text>';
    broken.splice(4, 0, "  </mj-column>");
    const error = await expectAppError(
      renderWith({
        "digest.mjml": layoutLines.join("\n"),
        "partials/card.mjml": broken.join("\n"),
      }),
      "MJML_INVALID",
    );
    expect(error.message).toContain("partials/card.mjml:4");
    expect(error.message).toContain("bogus");
  });

  it("maps an MJML error after a loop back to the layout's own line", async () => {
    const layout = [...layoutLines];
    const footerLine = layout.findIndex((line) => line.includes("{{site.title}}"));
    // mj-text may not sit directly in mj-body.
    layout.splice(footerLine + 1, 0, "    <mj-text>stray</mj-text>");
    const error = await expectAppError(
      renderWith({ "digest.mjml": layout.join("\n"), "partials/card.mjml": cardLines.join("\n") }),
      "MJML_INVALID",
    );
    expect(error.message).toContain(`digest.mjml:${footerLine + 2}`);
  });

  it("refuses a layout without an unsubscribe link as TEMPLATE_RENDER", async () => {
    const layout = layoutLines.map((line) =>
      line.replace(' <a class="out" href="{{recipient.unsubscribe_url}}">x</a>', ""),
    );
    const error = await expectAppError(
      renderWith({ "digest.mjml": layout.join("\n"), "partials/card.mjml": cardLines.join("\n") }),
      "TEMPLATE_RENDER",
    );
    expect(error.message).toContain("unsubscribe");
  });

  it("reports a broken partial of the shipped templates with its file and line", async () => {
    const dir = await makeTemplates({});
    await cp(templatesDir, dir, { recursive: true });
    const file = path.join(dir, "partials", "headlines.mjml");
    const lines = (await readFile(file, "utf8")).split("\n");
    const list = lines.findIndex((line) => line.includes("</ul>"));
    const at = lines.findIndex((line, index) => index > list && line.includes("</mj-text>"));
    expect(list).toBeGreaterThan(0);
    expect(at).toBeGreaterThan(list);
    // An attribute MJML does not know, on a line of its own after the headline list.
    lines.splice(at + 1, 0, '    <mj-divider bogus="yes" />');
    await writeFile(file, lines.join("\n"));
    const error = await expectAppError(
      renderDigest(
        makeContent(makeArticles()),
        makeOptions({ templatesDir: dir, fullArticles: 1 }),
      ),
      "MJML_INVALID",
    );
    expect(error.message).toContain(`partials/headlines.mjml:${at + 2}`);
  });

  it("reports a misspelt field in a shipped partial with its file and line", async () => {
    const dir = await makeTemplates({});
    await cp(templatesDir, dir, { recursive: true });
    const file = path.join(dir, "partials", "footer.mjml");
    const lines = (await readFile(file, "utf8")).split("\n");
    const at = lines.findIndex((line) => line.includes("{{strings.subscribed_to}}"));
    lines[at] = lines[at]!.replace("{{strings.subscribed_to}}", "{{strings.subscribed}}");
    await writeFile(file, lines.join("\n"));
    const error = await expectAppError(
      renderDigest(makeContent(makeArticles()), makeOptions({ templatesDir: dir })),
      "TEMPLATE_RENDER",
    );
    expect(error.message).toContain(`partials/footer.mjml:${at + 1}`);
  });

  it("reports a misspelt field in the subject template as TEMPLATE_RENDER", async () => {
    const error = await expectAppError(
      renderDigest(
        makeContent(makeArticles()),
        makeOptions({ subjectTemplate: "{{situs}}: {{date}}" }),
      ),
      "TEMPLATE_RENDER",
    );
    expect(error.message).toContain("newsletter.subject");
  });

  it("refuses includes that leave the templates folder", async () => {
    const layout = layoutLines.map((line) => line.replace("partials/card.mjml", "../card.mjml"));
    const error = await expectAppError(
      renderWith({ "digest.mjml": layout.join("\n") }),
      "TEMPLATE_READ",
    );
    expect(error.message).toContain("outside the templates folder");
  });

  it("reports a circular include as TEMPLATE_RENDER", async () => {
    await expectAppError(
      renderWith({
        "digest.mjml": layoutLines.join("\n"),
        "partials/card.mjml": '<mj-include path="card.mjml" />',
      }),
      "TEMPLATE_RENDER",
    );
  });
});
