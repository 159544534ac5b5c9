import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { locateCorpus, readCorpusFile } from "../extract/feed/corpus-files.js";
import { checkAtom, checkRss, validateAtomWithJing } from "./validity.js";

// The W3C feed validator's own test cases (corpus/feeds/feedvalidator): each names the message
// class the validator gives it. The checks the feed tests rely on must give the same.
const validatorCase = (relative: string) =>
  readCorpusFile(locateCorpus(), `feedvalidator/testcases/${relative}`).toString("utf8");

const classes = (problems: string[]) => problems.map((problem) => problem.split(":")[0] ?? "");

describe("W3C-style feed checks", () => {
  it.each([
    ["rss20/element-channel-item-guid/invalid_permalink_tag.xml", "InvalidPermalink"],
    ["rss20/element-channel-link/invalid_link.xml", "InvalidLink"],
    [
      "rss20/namespace-elements-content-encoded/content_before_description.xml",
      "NeedDescriptionBeforeContent",
    ],
    ["rss20/element-channel-item-description/description_contains_meta.xml", "SecurityRisk"],
    ["rss20/element-channel-item/invalid_item_element.xml", "UndefinedElement"],
    ["rss20/element-channel/multiple_language.xml", "DuplicateElement"],
  ])("flag %s with %s, as the W3C validator does", (file, expected) => {
    expect(classes(checkRss(validatorCase(file), "http://example.com/rss.xml"))).toContain(
      expected,
    );
  });

  it("reports an undeclared namespace prefix as the SAXError the validator gives", () => {
    expect(() => checkRss(validatorCase("rss/must/missing_namespace.xml"), "x")).not.toThrow();
    expect(classes(checkRss(validatorCase("rss/must/missing_namespace.xml"), "x"))).toContain(
      "SAXError",
    );
  });

  it.each([
    ["atom/4.1.1/duplicate-entries-all.xml", "DuplicateIds"],
    ["atom/must/entry_issued_no_t.xml", "InvalidRFC3339Date"],
    ["atom/must/feed_modified_bad_minutes.xml", "InvalidRFC3339Date"],
    ["atom/3/ws-entry-id.xml", "UnexpectedWhitespace"],
    ["atom/must/entry_id_tag_date_contains_space_2.xml", "InvalidTAG"],
  ])("flag %s with %s, as the W3C validator does", (file, expected) => {
    expect(classes(checkAtom(validatorCase(file), "http://example.com/atom.xml"))).toContain(
      expected,
    );
  });

  it("flags enclosures without a length or with length 0, and an RSS feed without a self link", () => {
    const rss = (enclosure: string) =>
      `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>t</title><link>https://e.org/</link><description>d</description>
<language>id</language><item><title>i</title><link>https://e.org/i</link>
<guid isPermaLink="false">tag:e.org,2024:i</guid><pubDate>Mon, 04 Mar 2024 22:00:00 GMT</pubDate>
${enclosure}</item></channel></rss>`;
    const without = classes(
      checkRss(rss('<enclosure url="https://e.org/a.jpg" type="image/jpeg"/>'), "x"),
    );
    expect(without).toContain("MissingAttribute");
    expect(without).toContain("MissingAtomSelfLink");
    const zero = classes(
      checkRss(rss('<enclosure url="https://e.org/a.jpg" length="0" type="image/jpeg"/>'), "x"),
    );
    expect(zero).toContain("InvalidIntegerAttribute");
  });

  it("finds nothing wrong with the validator's minimal valid Atom feed but its missing self link", () => {
    const problems = checkAtom(validatorCase("atom/1.1/brief-noerror.xml"), "http://example.com/");
    // That feed is valid but, like most examples, has neither self link nor xml:lang, which
    // warta's feeds must have.
    expect(
      classes(problems).filter((c) => !["MissingSelf", "MissingLanguage"].includes(c)),
    ).toEqual([]);
  });
});

describe("jing against the RFC 4287 grammar", () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("accepts a valid Atom feed and rejects one with two titles, naming the file", () => {
    dir = mkdtempSync(path.join(tmpdir(), "warta-jing-"));
    const valid = path.join(dir, "valid.xml");
    const invalid = path.join(dir, "invalid.xml");
    writeFileSync(valid, validatorCase("atom/1.1/brief-noerror.xml"));
    writeFileSync(invalid, validatorCase("atom/4.1.1/multiple-titles.xml"));
    expect(() => validateAtomWithJing([valid])).not.toThrow();
    expect(() => validateAtomWithJing([valid, invalid])).toThrow(/invalid\.xml/);
  });

  it("fails, naming the packages to install, when jing cannot run", () => {
    expect(() => validateAtomWithJing(["any.xml"], "/nonexistent/jing")).toThrow(
      /apt-get install jing default-jre-headless/,
    );
  });
});
