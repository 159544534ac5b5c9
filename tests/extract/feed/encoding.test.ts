import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import { decodeXml, parseContentType } from "../../../src/extract/encoding.js";

const rss = (declaration: string, title: string) =>
  `<?xml version="1.0"${declaration}?><rss version="2.0"><channel><title>${title}</title></channel></rss>`;

describe("decodeXml", () => {
  it("reads UTF-8 with a byte order mark, dropping the mark", () => {
    const bytes = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(rss(' encoding="utf-8"', "Café")),
    ]);
    const { text, encoding } = decodeXml(bytes);
    expect(encoding).toBe("utf-8");
    expect(text.startsWith("<?xml")).toBe(true);
    expect(text).toContain("<title>Café</title>");
  });

  it("reads UTF-16 LE with a BOM even when the header names another charset", () => {
    const bytes = Buffer.concat([
      Buffer.from([0xff, 0xfe]),
      Buffer.from(rss(' encoding="utf-16"', "Jakarta — 東京"), "utf16le"),
    ]);
    const { text, encoding } = decodeXml(bytes, "text/xml; charset=iso-8859-1");
    expect(encoding).toBe("utf-16le");
    expect(text).toContain("<title>Jakarta — 東京</title>");
  });

  it("reads UTF-16 BE without a BOM from the zero bytes around '<'", () => {
    const bytes = Buffer.from(rss(' encoding="utf-16"', "Selamat pagi"), "utf16le").swap16();
    const { text, encoding } = decodeXml(bytes);
    expect(encoding).toBe("utf-16be");
    expect(text).toContain("<title>Selamat pagi</title>");
  });

  it("reads UTF-32 LE with a BOM and UTF-32 BE without one", () => {
    const source = rss(' encoding="utf-32"', "Ülkü 🎉");
    const le = Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), iconv.encode(source, "utf-32le")]);
    const be = iconv.encode(source, "utf-32be");
    expect(decodeXml(le)).toEqual({ text: source, encoding: "utf-32le" });
    expect(decodeXml(be)).toEqual({ text: source, encoding: "utf-32be" });
  });

  it("reads windows-1252 bytes declared as UTF-8 as windows-1252", () => {
    const bytes = Buffer.concat([
      Buffer.from('<?xml version="1.0" encoding="utf-8"?><title>'),
      Buffer.from([0x93, 0x48, 0x61, 0x6c, 0x6f, 0x94, 0x20, 0x63, 0x61, 0x66, 0xe9]),
      Buffer.from("</title>"),
    ]);
    const { text, encoding } = decodeXml(bytes);
    expect(encoding).toBe("windows-1252");
    expect(text).toContain("<title>\u201cHalo\u201d café</title>");
  });

  it("reads ISO-8859-1 as windows-1252, as browsers do", () => {
    const bytes = Buffer.concat([
      Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><title>'),
      Buffer.from([0x93, 0x4d, 0xe3, 0x65, 0x94]),
      Buffer.from("</title>"),
    ]);
    const { text, encoding } = decodeXml(bytes);
    expect(encoding).toBe("iso-8859-1");
    expect(text).toContain("<title>\u201cMãe\u201d</title>");
  });

  it("keeps an ISO-8859-1 declaration over ASCII bytes", () => {
    const source = rss(' encoding="iso-8859-1"', "Berita hari ini");
    expect(decodeXml(Buffer.from(source))).toEqual({ text: source, encoding: "iso-8859-1" });
  });

  it("reads UTF-8 declared as ISO-8859-1 as UTF-8 when the bytes are valid UTF-8", () => {
    const source = rss(' encoding="iso-8859-1"', "Mãe — São Paulo");
    expect(decodeXml(Buffer.from(source))).toEqual({ text: source, encoding: "utf-8" });
  });

  it("lets the HTTP charset override the XML declaration", () => {
    const bytes = Buffer.concat([
      Buffer.from('<?xml version="1.0" encoding="utf-8"?><title>Not'),
      Buffer.from([0xed]),
      Buffer.from("cias</title>"),
    ]);
    const { text, encoding } = decodeXml(bytes, "text/xml; charset=latin1");
    expect(encoding).toBe("iso-8859-1");
    expect(text).toContain("Notícias");
  });

  it("follows RFC 3023 for text/xml without a charset when the bytes are ASCII", () => {
    const source = rss(' encoding="iso-8859-1"', "Halo");
    expect(decodeXml(Buffer.from(source), "text/xml").encoding).toBe("us-ascii");
    expect(decodeXml(Buffer.from(source), "application/xml").encoding).toBe("iso-8859-1");
  });

  it("does not let text/xml's us-ascii default destroy non-ASCII characters", () => {
    const source = rss(' encoding="utf-8"', "Café");
    expect(decodeXml(Buffer.from(source), "text/xml")).toEqual({ text: source, encoding: "utf-8" });
  });

  it("reads GB 2312 as its superset GB 18030", () => {
    const source = rss(' encoding="gb2312"', "中文新闻");
    const { text, encoding } = decodeXml(iconv.encode(source, "gb2312"));
    expect(encoding).toBe("gb18030");
    expect(text).toBe(source);
  });

  it("ignores an unknown charset and falls back to the declaration", () => {
    const source = rss(' encoding="utf-8"', "Café");
    expect(decodeXml(Buffer.from(source), "application/rss+xml; charset=x-unknown")).toEqual({
      text: source,
      encoding: "utf-8",
    });
  });

  it("never throws on invalid bytes", () => {
    const bytes = Buffer.from([
      0x3c, 0x72, 0x3e, 0xc3, 0x28, 0xa0, 0xa1, 0xf0, 0x28, 0x8c, 0xbc, 0xff,
    ]);
    for (const contentType of [undefined, "text/xml; charset=utf-8", "text/xml; charset=utf-16"]) {
      expect(typeof decodeXml(bytes, contentType).text).toBe("string");
    }
  });
});

describe("parseContentType", () => {
  it("reads quoted and spaced charsets and ignores a malformed parameter", () => {
    expect(parseContentType('application/rss+xml;charset= "us-ascii"')).toEqual({
      mediaType: "application/rss+xml",
      charset: "us-ascii",
    });
    expect(parseContentType("Application/XML;charset = 'UTF-8'")).toEqual({
      mediaType: "application/xml",
      charset: "UTF-8",
    });
    expect(parseContentType("text/xml; charset:iso-8859-1")).toEqual({ mediaType: "text/xml" });
  });
});
