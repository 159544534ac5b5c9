import { describe, expect, it } from "vitest";
import { sanitizeArticleHtml } from "../../src/extract/sanitize.js";

const BASE = "https://oerban.com/2024/05/kazakhstan-turki/";

describe("sanitizeArticleHtml keeps article markup", () => {
  it("keeps paragraphs, headings and inline emphasis unchanged", () => {
    const html =
      "<h2>Peluang</h2><p>Kata <em>satu</em>, <strong>dua</strong>, <b>tiga</b> dan <i>empat</i>.<br />Lima.</p><h3>Sub</h3>";
    expect(sanitizeArticleHtml(html, BASE)).toBe(html);
  });

  it("keeps figures, images with their size and alt text, and captions", () => {
    const html =
      '<figure><img src="https://oerban.com/barys.jpg" alt="Barys 8x8" width="800" height="450" /><figcaption>Kendaraan Barys</figcaption></figure>';
    expect(sanitizeArticleHtml(html, BASE)).toBe(html);
  });

  it("keeps quotes, lists, tables and code", () => {
    const html =
      "<blockquote><p>Kami siap.</p></blockquote><ul><li>satu</li></ul><ol><li>dua</li></ol>" +
      "<table><thead><tr><th>Tahun</th></tr></thead><tbody><tr><td>1991</td></tr></tbody></table>" +
      "<pre><code>x &lt; 1</code></pre>";
    expect(sanitizeArticleHtml(html, BASE)).toBe(html);
  });

  it("turns an h1 inside the body into an h2", () => {
    expect(sanitizeArticleHtml("<h1>Judul Bagian</h1>", BASE)).toBe("<h2>Judul Bagian</h2>");
  });
});

describe("sanitizeArticleHtml removes what is unsafe or not article content", () => {
  it("drops scripts and styles with their content", () => {
    expect(
      sanitizeArticleHtml(
        "<p>A</p><script>alert(1)</script><style>p{color:red}</style><p>B</p>",
        BASE,
      ),
    ).toBe("<p>A</p><p>B</p>");
  });

  it("drops event handlers, style and class attributes", () => {
    expect(
      sanitizeArticleHtml('<p onclick="steal()" style="color:red" class="lead">Teks</p>', BASE),
    ).toBe("<p>Teks</p>");
    expect(
      sanitizeArticleHtml('<img src="https://oerban.com/a.jpg" onerror="steal()">', BASE),
    ).toBe('<img src="https://oerban.com/a.jpg" />');
  });

  it("drops forms with everything inside them", () => {
    const html =
      '<p>A</p><form action="/subscribe"><p>Langganan</p><input name="email"><button>Kirim</button></form><p>B</p>';
    expect(sanitizeArticleHtml(html, BASE)).toBe("<p>A</p><p>B</p>");
  });

  it("drops iframes of other hosts with everything inside them", () => {
    const html =
      '<p>A</p><iframe src="https://ads.example.com/embed/x">Iklan</iframe>' +
      '<iframe src="https://www.youtube.com.evil.example/embed/x"></iframe>' +
      '<iframe src="https://www.youtube.com/watch?v=x"></iframe><iframe>kosong</iframe><p>B</p>';
    expect(sanitizeArticleHtml(html, BASE)).toBe("<p>A</p><p>B</p>");
  });

  it("drops scripts inside kept elements and event handlers on every element", () => {
    expect(
      sanitizeArticleHtml(
        '<figure onmouseover="x()"><img src="/a.jpg" onload="x()"><figcaption onclick="x()">F<script>x()</script></figcaption></figure>',
        BASE,
      ),
    ).toBe('<figure><img src="https://oerban.com/a.jpg" /><figcaption>F</figcaption></figure>');
  });

  it("removes javascript: links but keeps their text", () => {
    expect(sanitizeArticleHtml('<p><a href="javascript:alert(1)">klik</a></p>', BASE)).toBe(
      "<p><a>klik</a></p>",
    );
    expect(sanitizeArticleHtml('<p><a href=" JaVaScRiPt:alert(1)">klik</a></p>', BASE)).toBe(
      "<p><a>klik</a></p>",
    );
  });

  it("removes data: links but keeps their text", () => {
    expect(
      sanitizeArticleHtml('<p><a href="data:text/html;base64,PHNjcmlwdD4=">klik</a></p>', BASE),
    ).toBe("<p><a>klik</a></p>");
  });

  it("removes images with data: URLs", () => {
    expect(
      sanitizeArticleHtml('<p>A<img src="data:image/png;base64,AAAA" alt="x"></p>', BASE),
    ).toBe("<p>A</p>");
  });

  it("keeps the text of unknown wrappers without the wrappers", () => {
    expect(sanitizeArticleHtml('<div class="td-post-content"><span>Teks</span></div>', BASE)).toBe(
      "Teks",
    );
  });
});

describe("sanitizeArticleHtml keeps video players from known hosts only", () => {
  it("keeps YouTube, youtube-nocookie, Vimeo and Dailymotion players, without handlers or inner text", () => {
    const html =
      '<iframe src="https://www.youtube.com/embed/abc" width="560" height="315" onload="x()" allowfullscreen>Video</iframe>' +
      '<iframe src="https://www.youtube-nocookie.com/embed/abc"></iframe>' +
      '<iframe src="https://player.vimeo.com/video/123"></iframe>' +
      '<iframe src="https://www.dailymotion.com/embed/video/x7"></iframe>';
    expect(sanitizeArticleHtml(html, BASE)).toBe(
      '<iframe src="https://www.youtube.com/embed/abc" width="560" height="315" allowfullscreen></iframe>' +
        '<iframe src="https://www.youtube-nocookie.com/embed/abc"></iframe>' +
        '<iframe src="https://player.vimeo.com/video/123"></iframe>' +
        '<iframe src="https://www.dailymotion.com/embed/video/x7"></iframe>',
    );
  });

  it("loads protocol-relative and http players over https", () => {
    expect(
      sanitizeArticleHtml(
        '<iframe src="//www.youtube.com/embed/abc"></iframe><iframe src="http://player.vimeo.com/video/1"></iframe>',
        BASE,
      ),
    ).toBe(
      '<iframe src="https://www.youtube.com/embed/abc"></iframe><iframe src="https://player.vimeo.com/video/1"></iframe>',
    );
  });
});

describe("sanitizeArticleHtml removes tracking pixels", () => {
  it("drops images declared 1x1 or 0x0", () => {
    expect(
      sanitizeArticleHtml(
        '<p>A<img src="/t.gif" width="1" height="1"><img src="/u.gif" width="0"><img src="/v.gif" height="1px"></p>',
        BASE,
      ),
    ).toBe("<p>A</p>");
  });

  it("drops images from known tracker hosts and paths", () => {
    const html =
      '<img src="https://www.facebook.com/tr?id=1&amp;ev=PageView">' +
      '<img src="https://pixel.wp.com/g.gif?v=ext">' +
      '<img src="https://sb.scorecardresearch.com/p?c1=2">' +
      '<img src="https://www.google-analytics.com/collect?v=1">' +
      '<img src="https://feeds.feedburner.com/~r/warta/~4/abc">' +
      '<img src="https://oerban.com/pixel.gif?id=1">' +
      '<img src="https://oerban.com/wp-content/uploads/barys.jpg" width="800" height="450">';
    expect(sanitizeArticleHtml(html, BASE)).toBe(
      '<img src="https://oerban.com/wp-content/uploads/barys.jpg" width="800" height="450" />',
    );
  });
});

describe("sanitizeArticleHtml makes URLs absolute", () => {
  it("resolves root-relative, relative and protocol-relative URLs against the base", () => {
    const html =
      '<p><a href="/tag/turki/">Turki</a> <a href="foto.html">Foto</a></p><img src="//cdn.oerban.com/a.jpg"><img src="../b.jpg">';
    expect(sanitizeArticleHtml(html, BASE)).toBe(
      '<p><a href="https://oerban.com/tag/turki/">Turki</a> <a href="https://oerban.com/2024/05/kazakhstan-turki/foto.html">Foto</a></p>' +
        '<img src="https://cdn.oerban.com/a.jpg" /><img src="https://oerban.com/2024/05/b.jpg" />',
    );
  });

  it("keeps absolute, mailto and fragment links working", () => {
    expect(
      sanitizeArticleHtml(
        '<a href="https://aa.com.tr/x">AA</a><a href="mailto:redaksi@oerban.com">surat</a><a href="#catatan">1</a>',
        BASE,
      ),
    ).toBe(
      '<a href="https://aa.com.tr/x">AA</a><a href="mailto:redaksi@oerban.com">surat</a><a href="https://oerban.com/2024/05/kazakhstan-turki/#catatan">1</a>',
    );
  });

  it("uses the lazy-loaded image instead of the placeholder", () => {
    expect(
      sanitizeArticleHtml(
        '<img src="data:image/gif;base64,R0lGOD" data-src="/wp-content/uploads/barys.jpg" alt="Barys">',
        BASE,
      ),
    ).toBe('<img src="https://oerban.com/wp-content/uploads/barys.jpg" alt="Barys" />');
  });

  it("drops relative URLs when there is no usable base", () => {
    expect(sanitizeArticleHtml('<a href="/x">x</a><a href="https://a.id/">a</a>', "")).toBe(
      '<a>x</a><a href="https://a.id/">a</a>',
    );
  });
});
