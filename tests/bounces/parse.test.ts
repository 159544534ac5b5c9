import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseBounce } from "../../src/bounces/parse.js";
import { repoRoot } from "../helpers/workspace.js";

const fixture = (name: string) =>
  readFileSync(path.join(repoRoot, "tests/fixtures/bounces", name), "utf8").replace(
    /\r?\n/g,
    "\r\n",
  );

describe("bounce reports", () => {
  it("read a Postfix delivery status notification as a hard bounce of the original message", async () => {
    expect(await parseBounce(fixture("postfix-hard.eml"))).toEqual([
      {
        kind: "hard",
        messageId: "<warta.e7.s42@news.example.org>",
        recipient: "budi.santoso@example.net",
        status: "5.1.1",
        diagnostic: expect.stringContaining("User unknown in virtual mailbox table"),
      },
    ]);
  });

  it("tell a temporary failure and a delay from a delivery, per recipient", async () => {
    const reports = await parseBounce(fixture("exchange-soft.eml"));
    expect(reports.map((r) => [r.kind, r.recipient, r.status])).toEqual([
      ["soft", "ani@corp.example.com", "4.2.2"],
      ["delayed", "rudi@corp.example.com", "4.4.7"],
    ]);
    expect(reports.every((r) => r.messageId === "<warta.e7.s43@news.example.org>")).toBe(true);
  });

  it("read an abuse feedback report (ARF) as a complaint, with a folded Message-ID", async () => {
    expect(await parseBounce(fixture("arf-complaint.eml"))).toEqual([
      {
        kind: "complaint",
        messageId: "<warta.e8.s44@news.example.org>",
        recipient: "citra@hotmail.example",
      },
    ]);
  });

  it("find nothing in an ordinary reply, even one quoting report fields", async () => {
    expect(await parseBounce(fixture("not-a-report.eml"))).toEqual([]);
  });
});
