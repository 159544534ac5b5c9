import { load } from "cheerio";
import { describe, expect, it } from "vitest";
import {
  PersonalizedTemplate,
  placeholder,
  renderDigest,
  renderDigestForRecipient,
} from "../../src/compose/index.js";
import {
  ekonomi,
  makeArticle,
  makeArticles,
  makeContent,
  makeOptions,
  makeRecipient,
  makeSite,
} from "./fixtures.js";

function occurrences(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

describe("recipient placeholders in a rendered digest", () => {
  it("marks the greeting, web version, preferences and unsubscribe links in both parts", async () => {
    const digest = await renderDigest(makeContent(makeArticles()), makeOptions());
    const html = PersonalizedTemplate.compile(digest.html, "html");
    const text = PersonalizedTemplate.compile(digest.text, "text");
    for (const field of ["greeting", "web_url", "preferences_url", "unsubscribe_url"] as const) {
      expect(html.usedFields, field).toContain(field);
      expect(text.usedFields, field).toContain(field);
    }

    const recipient = makeRecipient();
    const $ = load(html.fill(recipient));
    expect($(".warta-web").attr("href")).toBe(recipient.web_url);
    expect($(".warta-web").text()).toBe("Lihat di browser");
    // The link to the web version comes before the first article.
    const order = $(".warta-web, .warta-article").map((_, el) => $(el).hasClass("warta-web"));
    expect(order.get(0)).toBe(true);
    expect($(".warta-greeting").text().trim()).toBe(recipient.greeting);
    expect($(".warta-preferences").attr("href")).toBe(recipient.preferences_url);
    expect($(".warta-unsubscribe").attr("href")).toBe(recipient.unsubscribe_url);

    const lines = text.fill(recipient).split("\n");
    expect(lines).toContain(recipient.greeting);
    expect(lines).toContain(`Lihat di browser: ${recipient.web_url}`);
    expect(lines).toContain(`Atur preferensi: ${recipient.preferences_url}`);
    expect(lines).toContain(`Berhenti berlangganan: ${recipient.unsubscribe_url}`);
  });

  it("escapes a name for HTML and leaves it as it is in the text part", async () => {
    const digest = await renderDigest(makeContent(makeArticles()), makeOptions());
    const name = '<b>"Ani" & Co</b>';
    const unsubscribe = "https://warta.example.org/unsubscribe?token=abc&lang=id";
    const recipient = makeRecipient({
      name,
      greeting: `Halo, ${name}!`,
      unsubscribe_url: unsubscribe,
    });

    const html = PersonalizedTemplate.compile(digest.html, "html").fill(recipient);
    const $ = load(html);
    expect($(".warta-greeting").text().trim()).toBe(`Halo, ${name}!`);
    expect($("b").length).toBe(0);
    expect(html).not.toContain(name);
    expect(html).toContain("Halo, &lt;b&gt;&quot;Ani&quot; &amp; Co&lt;/b&gt;!");
    expect(html).toContain('href="https://warta.example.org/unsubscribe?token=abc&amp;lang=id"');
    expect($(".warta-unsubscribe").attr("href")).toBe(unsubscribe);

    const text = PersonalizedTemplate.compile(digest.text, "text").fill(recipient);
    expect(text.split("\n")).toContain(`Halo, ${name}!`);
    expect(text).toContain(`Berhenti berlangganan: ${unsubscribe}`);
  });

  it("gives the same message as rendering the whole digest for the recipient", async () => {
    const content = makeContent(makeArticles());
    const options = makeOptions({ fullArticles: 2 });
    const recipient = makeRecipient({
      name: `O'Brien & <Sons> "Ltd" \`x\` = y`,
      greeting: `Halo, O'Brien & <Sons> "Ltd" \`x\` = y!`,
      unsubscribe_url: "https://warta.example.org/unsubscribe?token=a.b.c&x='1'",
    });
    const shared = await renderDigest(content, options);
    const naive = await renderDigestForRecipient(content, options, recipient);
    expect(naive.subject).toBe(shared.subject);
    expect(naive.fullArticles).toBe(shared.fullArticles);
    expect(naive.headlines).toBe(shared.headlines);
    expect(PersonalizedTemplate.compile(shared.html, "html").fill(recipient)).toBe(naive.html);
    expect(PersonalizedTemplate.compile(shared.text, "text").fill(recipient)).toBe(naive.text);
  });

  it("does not let article or site text inject a placeholder", async () => {
    const fake = placeholder("unsubscribe_url");
    const articles = [
      makeArticle("palsu", {
        title: `Klik ${fake} sekarang`,
        summary: `Ringkasan ${placeholder("web_url")} dan ${placeholder("greeting")}`,
        author: `${placeholder("name")}`,
        url: `https://warta.example.org/berita/palsu?u=${fake}`,
        categories: [{ slug: "ekonomi", name: `Ekonomi ${placeholder("preferences_url")}` }],
        image: {
          url: "https://warta.example.org/a.jpg",
          alt: `Foto ${fake}`,
          width: 10,
          height: 10,
        },
      }),
      // An unknown field would make the template refuse to compile, failing the edition.
      makeArticle("asing", { title: "Bocor \uE000warta:password\uE001", categories: [ekonomi] }),
    ];
    const site = makeSite({ title: `Warta ${fake}`, description: `Deskripsi ${fake}` });
    const digest = await renderDigest(makeContent(articles), makeOptions({ site }));

    const recipient = makeRecipient();
    const html = PersonalizedTemplate.compile(digest.html, "html").fill(recipient);
    const text = PersonalizedTemplate.compile(digest.text, "text").fill(recipient);
    // Each recipient value appears only where the template put it.
    expect(occurrences(html, recipient.unsubscribe_url)).toBe(1);
    expect(occurrences(text, recipient.unsubscribe_url)).toBe(1);
    expect(occurrences(html, recipient.preferences_url)).toBe(1);
    expect(occurrences(html, recipient.greeting)).toBe(1);
    expect(occurrences(text, recipient.greeting)).toBe(1);
    expect(occurrences(html, recipient.web_url)).toBe(1);
    expect(occurrences(html, `>${recipient.name}<`)).toBe(0);

    const $ = load(html);
    expect($("h3 a").first().text()).toBe("Klik warta:unsubscribe_url sekarang");
    expect($("h3 a").last().text()).toBe("Bocor warta:password");
    expect(html).not.toMatch(/[\uE000\uE001]/);
    expect(text).not.toMatch(/[\uE000\uE001]/);
  });
});

describe("PersonalizedTemplate bytes", () => {
  it("fills to the same UTF-8 bytes as the string fill, and measures them", () => {
    const document = `<p title="${placeholder("name")}">Rp 1–2 juta… ${placeholder("greeting")}</p><a href="${placeholder("unsubscribe_url")}">x</a>`;
    const values = makeRecipient({
      name: 'Ñoño "&" <x>',
      greeting: "Halo, Ñoño!",
      unsubscribe_url: "https://warta.example.org/u?a=1&b=2",
    });
    for (const kind of ["html", "text"] as const) {
      const template = PersonalizedTemplate.compile(document, kind);
      const expected = Buffer.from(template.fill(values), "utf8");
      expect(template.fillBuffer(values).equals(expected), kind).toBe(true);
      expect(template.byteLength(values), kind).toBe(expected.length);
    }
    const html = PersonalizedTemplate.compile(document, "html").fillBuffer(values).toString();
    expect(html).toBe(
      '<p title="Ñoño &quot;&amp;&quot; &lt;x&gt;">Rp 1–2 juta… Halo, Ñoño!</p><a href="https://warta.example.org/u?a=1&amp;b=2">x</a>',
    );
  });
});
