import iconv from "iconv-lite";
import { describe, expect, it } from "vitest";
import { decodeHtml } from "../../../src/extract/html/index.js";

const latin1 = (text: string) => Buffer.from(text, "latin1");

describe("decodeHtml", () => {
  it("reads UTF-8 by default", () => {
    expect(decodeHtml(Buffer.from("<p>Rp 5.000 – kopi ☕</p>"))).toBe("<p>Rp 5.000 – kopi ☕</p>");
  });

  it("follows a byte order mark over every declaration", () => {
    const utf8 = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from("<meta charset=iso-8859-1>é"),
    ]);
    expect(decodeHtml(utf8, "text/html; charset=windows-1251")).toBe("<meta charset=iso-8859-1>é");
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from("<p>é</p>", "utf16le")]);
    expect(decodeHtml(utf16)).toBe("<p>é</p>");
  });

  it("follows the HTTP charset over the page's <meta>", () => {
    expect(
      decodeHtml(latin1("<meta charset=utf-8>caf\xe9"), 'text/html; charset="ISO-8859-1"'),
    ).toBe("<meta charset=utf-8>café");
  });

  it("reads <meta charset> and <meta http-equiv> declarations", () => {
    expect(decodeHtml(latin1("<html><head><meta charset='windows-1252'>\x93kutip\x94"))).toBe(
      "<html><head><meta charset='windows-1252'>“kutip”",
    );
    const cyrillic = Buffer.concat([
      Buffer.from('<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">'),
      iconv.encode("Привет", "windows-1251"),
    ]);
    expect(decodeHtml(cyrillic)).toContain("Привет");
  });

  it("reads legacy CJK encodings through iconv-lite", () => {
    const page = Buffer.concat([
      Buffer.from("<meta charset=shift_jis>"),
      iconv.encode("日本語", "shift_jis"),
    ]);
    expect(decodeHtml(page)).toBe("<meta charset=shift_jis>日本語");
  });

  it("reads an XML declaration's encoding (XHTML)", () => {
    expect(decodeHtml(latin1('<?xml version="1.0" encoding="ISO-8859-1"?><html>\xe9</html>'))).toBe(
      '<?xml version="1.0" encoding="ISO-8859-1"?><html>é</html>',
    );
  });

  it("replaces invalid UTF-8 with U+FFFD and never throws on unknown labels", () => {
    expect(decodeHtml(Buffer.from([0x41, 0xc3, 0x28, 0x42]))).toBe("A\ufffd(B");
    expect(decodeHtml(Buffer.from("abc"), "text/html; charset=no-such-thing")).toBe("abc");
    expect(decodeHtml(Buffer.from("<meta charset=utf-16>abc"))).toBe("<meta charset=utf-16>abc");
    expect(decodeHtml(Buffer.alloc(0))).toBe("");
  });
});
