import { existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { processMaildir } from "../../src/bounces/index.js";
import { type BounceStoreFixture, hardBounce, notAReport, openBounceStore } from "./harness.js";

/** A Maildir with new/, cur/ and tmp/, holding the given messages in new/. */
function maildirWith(root: string, messages: Record<string, string>): string {
  const maildir = path.join(root, "bounces");
  for (const sub of ["new", "cur", "tmp"]) mkdirSync(path.join(maildir, sub), { recursive: true });
  for (const [name, content] of Object.entries(messages)) {
    writeFileSync(path.join(maildir, "new", name), content);
  }
  return maildir;
}

/** A logger that keeps its JSON lines, to check what was logged. */
function recordingLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino(
    { level: "info" },
    { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
  );
  return { logger, lines };
}

describe("the bounce Maildir", () => {
  let fx: BounceStoreFixture | undefined;
  afterEach(async () => {
    await fx?.close();
    fx = undefined;
  });

  it("applies each report in new/ and moves it to cur/ as seen", async () => {
    fx = await openBounceStore();
    const budi = await fx.subscriber("budi@example.net");
    const edition = await fx.edition([budi]);
    const maildir = maildirWith(fx.dir, {
      "1714863604.V801I1.mx": hardBounce(edition, budi, "budi@example.net"),
    });

    const results = await processMaildir(maildir, fx.deps());
    expect(results).toMatchObject([
      {
        file: "1714863604.V801I1.mx",
        outcome: "report",
        applied: [{ kind: "hard", outcome: "applied" }],
      },
    ]);
    expect(readdirSync(path.join(maildir, "new"))).toEqual([]);
    expect(readdirSync(path.join(maildir, "cur"))).toEqual(["1714863604.V801I1.mx:2,S"]);
    expect((await fx.delivery(edition, budi)).status).toBe("bounced");
    expect(await fx.subscriberRow(budi)).toEqual({ status: "active", hard_bounces: 1 });

    // Nothing left to read: a second pass changes nothing.
    expect(await processMaildir(maildir, fx.deps())).toEqual([]);
    expect((await fx.subscriberRow(budi)).hard_bounces).toBe(1);
  });

  it("counts the same report delivered twice (two files) once", async () => {
    fx = await openBounceStore();
    const budi = await fx.subscriber("budi@example.net");
    const edition = await fx.edition([budi]);
    const raw = hardBounce(edition, budi, "budi@example.net");
    const maildir = maildirWith(fx.dir, { "1.a.mx": raw, "2.b.mx": raw });

    const results = await processMaildir(maildir, fx.deps());
    expect(results.map((r) => r.applied.map((a) => a.outcome))).toEqual([
      ["applied"],
      ["duplicate"],
    ]);
    expect(await fx.subscriberRow(budi)).toEqual({ status: "active", hard_bounces: 1 });
    expect(readdirSync(path.join(maildir, "cur")).sort()).toEqual(["1.a.mx:2,S", "2.b.mx:2,S"]);
  });

  it("moves a message that is no report to cur/ and logs it by file name", async () => {
    fx = await openBounceStore();
    const maildir = maildirWith(fx.dir, { "3.junk.mx": notAReport() });
    const { logger, lines } = recordingLogger();
    const results = await processMaildir(maildir, fx.deps({ logger }));
    expect(results).toMatchObject([{ file: "3.junk.mx", outcome: "not-report", applied: [] }]);
    expect(readdirSync(path.join(maildir, "cur"))).toEqual(["3.junk.mx:2,S"]);
    expect(lines.some((line) => line.file === "3.junk.mx")).toBe(true);
  });

  it("flags an unreadable message in cur/, logs its name, and goes on with the others", async () => {
    fx = await openBounceStore();
    const budi = await fx.subscriber("budi@example.net");
    const edition = await fx.edition([budi]);
    const maildir = maildirWith(fx.dir, {
      "5.good.mx": hardBounce(edition, budi, "budi@example.net"),
    });
    // A name in new/ that cannot be read as a file (a link to a folder; unreadable even as root).
    mkdirSync(path.join(fx.dir, "a-folder"));
    symlinkSync(path.join(fx.dir, "a-folder"), path.join(maildir, "new", "4.broken.mx"));
    const { logger, lines } = recordingLogger();
    const results = await processMaildir(maildir, fx.deps({ logger }));
    expect(results[0]).toMatchObject({ file: "4.broken.mx", outcome: "broken" });
    expect(results[0]?.error).toMatch(/EISDIR/);
    expect(existsSync(path.join(maildir, "cur", "4.broken.mx:2,F"))).toBe(true);
    expect(lines.some((line) => line.file === "4.broken.mx" && line.level === 50)).toBe(true);
    expect(results[1]).toMatchObject({ file: "5.good.mx", outcome: "report" });
    expect(readdirSync(path.join(maildir, "new"))).toEqual([]);
  });

  it("names the folder when the Maildir does not exist", async () => {
    fx = await openBounceStore();
    await expect(processMaildir(path.join(fx.dir, "missing"), fx.deps())).rejects.toMatchObject({
      code: "SOURCE_READ",
    });
  });
});
