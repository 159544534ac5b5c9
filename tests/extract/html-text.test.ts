import { describe, expect, it } from "vitest";
import { decodeEntities, htmlToText } from "../../src/extract/html-text.js";

describe("htmlToText", () => {
  it("puts each paragraph, heading and list item on its own line", () => {
    expect(htmlToText("<h2>Judul</h2>\n<p>Satu</p><ul><li>a</li><li>b</li></ul><p>Dua</p>")).toBe(
      "Judul\nSatu\na\nb\nDua",
    );
  });

  it("collapses whitespace inside a paragraph and keeps inline markup's text", () => {
    expect(htmlToText("<p>  Kata\n   <em>satu</em>   dan <a href='/x'>dua</a> </p>")).toBe(
      "Kata satu dan dua",
    );
  });

  it("breaks lines at <br>", () => {
    expect(htmlToText("<p>Baris satu<br>baris dua<br/>tiga</p>")).toBe(
      "Baris satu\nbaris dua\ntiga",
    );
  });

  it("leaves out scripts, styles and other hidden elements", () => {
    expect(
      htmlToText(
        "<p>A</p><script>var x = '<p>no</p>';</script><style>p{}</style><svg><text>no</text></svg><p>B</p>",
      ),
    ).toBe("A\nB");
  });

  it("keeps the lines of preformatted text", () => {
    expect(htmlToText("<p>Kode:</p><pre><code>a  = 1\nb  = 2\n</code></pre>")).toBe(
      "Kode:\na  = 1\nb  = 2",
    );
  });

  it("keeps table rows on one line each", () => {
    expect(
      htmlToText(
        "<table><tr><th>Tahun</th><th>Kota</th></tr><tr><td>1991</td><td>Suusamyr</td></tr></table>",
      ),
    ).toBe("Tahun | Kota\n1991 | Suusamyr");
  });

  it("ignores comments and attributes that contain '>'", () => {
    expect(htmlToText('<!-- iklan --><p title="a > b">Teks</p>')).toBe("Teks");
  });
});

describe("decodeEntities", () => {
  it("decodes named, decimal and hexadecimal references", () => {
    expect(
      decodeEntities(
        "AT&amp;T &lt;b&gt; &quot;x&quot; &#8220;y&#x201D; caf&eacute; &Uuml;ber&nbsp;!",
      ),
    ).toBe('AT&T <b> "x" \u201cy\u201d café Über\u00a0!');
  });

  it("leaves unknown names as written", () => {
    expect(decodeEntities("&bogus; & &")).toBe("&bogus; & &");
  });
});
