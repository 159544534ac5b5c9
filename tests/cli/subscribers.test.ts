import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parse } from "csv-parse/sync";
import { afterEach, describe, expect, it } from "vitest";
import type { Db } from "../../src/store/index.js";
import { runWarta } from "../helpers/cli.js";
import { createWorkspace, type Workspace, workspaceConfig } from "../helpers/workspace.js";

interface Row {
  id: number;
  email: string;
  name: string | null;
  language: string;
  timezone: string;
  status: string;
  frequency: string;
  categories: string;
  consent_source: string;
  confirmed_at: string | null;
  unsubscribed_at: string | null;
}

/** A workspace with a configuration (site in id, Asia/Jakarta) and a way to run warta in it. */
function setUp() {
  const ws = createWorkspace();
  const config = ws.writeConfig(workspaceConfig());
  const warta = (...args: string[]) => runWarta([...args, "--config", config], { cwd: ws.root });
  /** Runs queries on the store itself, through a connection of its own. */
  const store = async <T>(work: (db: Db) => Promise<T>): Promise<T> => {
    const db = await ws.openStore();
    try {
      return await work(db);
    } finally {
      await db.destroy();
    }
  };
  /** How many subscribers the store holds, of one status or frequency if given. */
  const countSubscribers = (where: { status?: string; frequency?: string } = {}) =>
    store(async (db) => {
      let query = db.selectFrom("subscribers").select((eb) => eb.fn.countAll<number>().as("n"));
      if (where.status) query = query.where("status", "=", where.status);
      if (where.frequency) query = query.where("frequency", "=", where.frequency);
      return (await query.executeTakeFirstOrThrow()).n;
    });
  return { ws, warta, store, countSubscribers };
}

/** Line numbers named by the "  line N: reason" lines of an import summary. */
function reportedLines(stdout: string): number[] {
  return [...stdout.matchAll(/^ {2}line (\d+): /gm)].map((m) => Number(m[1]));
}

describe("warta subscribers", () => {
  let ws: Workspace | undefined;
  let other: Workspace | undefined;
  afterEach(() => {
    ws?.remove();
    other?.remove();
  });

  it("adds, lists and removes a subscriber, erasing their deliveries", {
    timeout: 240_000,
  }, async () => {
    const env = setUp();
    ws = env.ws;
    const added = await env.warta(
      "subscribers",
      "add",
      "  Ana.Lestari@Example.ORG ",
      "--name",
      "Ana Lestari",
      "--language",
      "en-GB",
      "--timezone",
      "Asia/Makassar",
      "--frequency",
      "weekly",
      "--categories",
      "Ekonomi,olahraga",
    );
    expect(added.stderr).toBe("");
    expect(added.code).toBe(0);
    await env.warta("subscribers", "add", "budi@example.org", "--pending");

    const rows: Row[] = await env.store((db) =>
      db.selectFrom("subscribers").selectAll().orderBy("id").execute(),
    );
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({
      email: "ana.lestari@example.org",
      name: "Ana Lestari",
      language: "en",
      timezone: "Asia/Makassar",
      frequency: "weekly",
      status: "active",
      consent_source: "cli",
    });
    expect(JSON.parse(rows[0]!.categories)).toEqual(["ekonomi", "olahraga"]);
    expect(rows[0]!.confirmed_at).not.toBeNull();
    // Defaults come from the configuration: site language and zone, daily digests.
    expect(rows[1]).toMatchObject({
      email: "budi@example.org",
      status: "pending",
      language: "id",
      timezone: "Asia/Jakarta",
      frequency: "daily",
      consent_source: "cli",
      confirmed_at: null,
    });

    const list = await env.warta("subscribers", "list");
    expect(list.code).toBe(0);
    const lines = list.stdout.trim().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]!.split(/\s+/)).toEqual([
      "ana.lestari@example.org",
      "active",
      "weekly",
      "en",
      "Asia/Makassar",
      "ekonomi,olahraga",
    ]);
    expect(lines[1]!.split(/\s+/).slice(0, 5)).toEqual([
      "budi@example.org",
      "pending",
      "daily",
      "id",
      "Asia/Jakarta",
    ]);
    expect(lines[2]).toMatch(/\b2 subscriber/);
    const pending = await env.warta("subscribers", "list", "--status", "pending");
    expect(pending.stdout).toContain("budi@example.org");
    expect(pending.stdout).not.toContain("ana.lestari@example.org");
    expect(pending.stdout).toMatch(/\b1 subscriber/);

    // A delivery to Ana, which removing her must erase with her.
    const ana = rows[0]!.id;
    await env.store(async (db) => {
      const at = "2024-05-01T00:00:00.000Z";
      const { id: edition } = await db
        .insertInto("editions")
        .values({ created_at: at, subject: "Warta", html: "<p>x</p>", text: "x", period_end: at })
        .returning("id")
        .executeTakeFirstOrThrow();
      await db
        .insertInto("deliveries")
        .values([
          {
            edition_id: edition,
            subscriber_id: ana,
            status: "sent",
            message_id: "<a@x>",
            attempts: 1,
            queued_at: at,
          },
          {
            edition_id: edition,
            subscriber_id: rows[1]!.id,
            status: "queued",
            message_id: "<b@x>",
            attempts: 0,
            queued_at: at,
          },
        ])
        .execute();
    });

    const removed = await env.warta("subscribers", "remove", "ANA.LESTARI@example.org");
    expect(removed.code).toBe(0);
    expect(await env.store((db) => db.selectFrom("subscribers").select("email").execute())).toEqual(
      [{ email: "budi@example.org" }],
    );
    const deliveries = await env.store((db) =>
      db.selectFrom("deliveries").select(["subscriber_id", "message_id"]).execute(),
    );
    // Ana's delivery went with her; Budi's stays.
    expect(deliveries).toEqual([{ subscriber_id: rows[1]!.id, message_id: "<b@x>" }]);

    const again = await env.warta("subscribers", "remove", "ana.lestari@example.org");
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("ana.lestari@example.org");
  });

  it("refuses a known address, whatever its case, and changes nothing", {
    timeout: 240_000,
  }, async () => {
    const env = setUp();
    ws = env.ws;
    expect((await env.warta("subscribers", "add", "Ana@X.org", "--name", "Ana")).code).toBe(0);
    const allRows = () => env.store((db) => db.selectFrom("subscribers").selectAll().execute());
    await env.store((db) =>
      db.updateTable("subscribers").set({ status: "unsubscribed" }).execute(),
    );
    const before = await allRows();

    const duplicate = await env.warta("subscribers", "add", "ana@x.org", "--name", "Someone");
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toContain("ana@x.org");
    expect(duplicate.stderr).toContain("already present");
    expect(await allRows()).toEqual(before);
    expect(before[0]).toMatchObject({ email: "ana@x.org", name: "Ana", status: "unsubscribed" });
  });

  it("names a bad address and refuses bad option values as wrong usage", {
    timeout: 240_000,
  }, async () => {
    const env = setUp();
    ws = env.ws;
    const bad = await env.warta("subscribers", "add", "ana.example.org");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('"ana.example.org"');
    const noDomain = await env.warta("subscribers", "add", "ana@localhost");
    expect(noDomain.code).toBe(1);
    expect(noDomain.stderr).toContain("ana@localhost");

    for (const args of [
      ["--frequency", "hourly"],
      ["--language", "fr"],
      ["--timezone", "Mars/Olympus_Mons"],
    ]) {
      const usage = await env.warta("subscribers", "add", "ana@example.org", ...args);
      expect(usage.code, args.join(" ")).toBe(2);
      expect(usage.stderr).toContain(args[1]);
    }
    expect((await env.warta("subscribers", "list", "--status", "gone")).code).toBe(2);
    expect((await env.warta("subscribers", "import", "x.csv", "--status", "bounced")).code).toBe(2);
    const list = await env.warta("subscribers", "list");
    expect(list.stdout.trim()).toMatch(/^0 subscriber/);
  });

  it("imports 100,000 lines, reporting exactly the bad ones, and a re-import adds nothing", {
    timeout: 240_000,
  }, async () => {
    const env = setUp();
    ws = env.ws;
    const zones = ["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura", "Europe/London"];
    const lines = ["email,name,language,timezone,frequency,categories,status"];
    for (let i = 1; i <= 100_000; i++) {
      lines.push(
        [
          `reader${i}@example.org`,
          i % 7 === 0 ? `"Pembaca, ${i}"` : `Pembaca ${i}`,
          i % 2 === 0 ? "id" : "en-GB",
          zones[i % zones.length],
          i % 5 === 0 ? "weekly" : "daily",
          i % 3 === 0 ? "Ekonomi;olahraga" : "",
          i % 11 === 0 ? "pending" : "",
        ].join(","),
      );
    }
    // Line n of the file is lines[n - 1]; line 1 is the header.
    const badAt: Record<number, string> = {
      7: "reader6-not-an-address,,id,Asia/Jakarta,daily,,",
      5000: "reader4999@example.org,,fr,Asia/Jakarta,daily,,",
      25000: "reader24999@example.org,,id,Mars/Olympus_Mons,daily,,",
      50001: "reader50000@example.org,,id,Asia/Jakarta,hourly,,",
      75000: "reader74999@example.org,,id,Asia/Jakarta,daily,,bounced",
      // The address of line 11 (reader10) again, in other case.
      99999: "Reader10@EXAMPLE.org,,id,Asia/Jakarta,daily,,",
    };
    for (const [line, text] of Object.entries(badAt)) lines[Number(line) - 1] = text;
    const file = path.join(ws.root, "big.csv");
    writeFileSync(file, `${lines.join("\n")}\n`);

    const first = await env.warta("subscribers", "import", "big.csv");
    expect(first.stderr).toBe("");
    expect(first.code).toBe(1);
    expect(first.stdout).toContain("imported 99994, already present 0, bad 6");
    expect(reportedLines(first.stdout)).toEqual([7, 5_000, 25_000, 50_001, 75_000, 99_999]);
    expect(first.stdout).toMatch(/line 7: .*reader6-not-an-address/);
    expect(first.stdout).toMatch(/line 5000: .*"fr"/);
    expect(first.stdout).toMatch(/line 25000: .*Mars\/Olympus_Mons/);
    expect(first.stdout).toMatch(/line 50001: .*hourly/);
    expect(first.stdout).toMatch(/line 75000: .*bounced/);
    expect(first.stdout).toMatch(/line 99999: .*line 11/);
    expect(await env.countSubscribers()).toBe(99_994);
    const badAddresses = Object.values(badAt)
      .slice(0, 5)
      .map((line) => line.split(",")[0]!);
    expect(
      await env.store((db) =>
        db.selectFrom("subscribers").select("id").where("email", "in", badAddresses).execute(),
      ),
    ).toEqual([]);

    // reader21: line 22, "Pembaca, 21" quoted, en-GB, Asia/Makassar, categories, no status.
    const reader21: Row[] = await env.store((db) =>
      db
        .selectFrom("subscribers")
        .selectAll()
        .where("email", "=", "reader21@example.org")
        .execute(),
    );
    expect(reader21[0]).toMatchObject({
      name: "Pembaca, 21",
      language: "en",
      timezone: "Asia/Makassar",
      frequency: "daily",
      status: "active",
      consent_source: "import",
    });
    expect(JSON.parse(reader21[0]!.categories)).toEqual(["ekonomi", "olahraga"]);
    expect(await env.countSubscribers({ status: "pending" })).toBe(9_090);
    expect(await env.countSubscribers({ frequency: "weekly" })).toBe(19_999);

    // Someone left in between: importing the same file again must not bring them back.
    await env.store((db) =>
      db
        .updateTable("subscribers")
        .set({ status: "unsubscribed", unsubscribed_at: "2024-06-01T00:00:00.000Z" })
        .where("email", "=", "reader42@example.org")
        .execute(),
    );
    const second = await env.warta("subscribers", "import", "big.csv");
    expect(second.stdout).toContain("imported 0, already present 99994, bad 6");
    expect(reportedLines(second.stdout)).toEqual([7, 5_000, 25_000, 50_001, 75_000, 99_999]);
    expect(await env.countSubscribers()).toBe(99_994);
    expect(
      await env.store((db) =>
        db
          .selectFrom("subscribers")
          .select(["status", "unsubscribed_at"])
          .where("email", "=", "reader42@example.org")
          .execute(),
      ),
    ).toEqual([{ status: "unsubscribed", unsubscribed_at: "2024-06-01T00:00:00.000Z" }]);
  });

  it("prints the first 20 bad lines, counts the rest, and stops at broken CSV", {
    timeout: 240_000,
  }, async () => {
    const env = setUp();
    ws = env.ws;
    const lines = [" Email , Name"];
    for (let i = 0; i < 25; i++) lines.push(`not-an-address-${i},x`);
    lines.push(
      "good@example.org,Good",
      "",
      'quoted@example.org,"Multi',
      'line"',
      "after@example.org,After",
    );
    // Line 32 opens a quote that is never closed: nothing after it can be read.
    lines.push('"broken@example.org,Broken', "lost@example.org,Lost");
    writeFileSync(path.join(ws.root, "bad.csv"), `${lines.join("\r\n")}\r\n`);

    const result = await env.warta("subscribers", "import", "bad.csv", "--status", "pending");
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("imported 3, already present 0, bad 26");
    const reported = reportedLines(result.stdout);
    expect(reported).toEqual(Array.from({ length: 20 }, (_, i) => i + 2));
    expect(result.stdout).toContain("... and 6 more");
    const rows = await env.store((db) =>
      db.selectFrom("subscribers").select(["email", "name", "status"]).orderBy("id").execute(),
    );
    expect(rows).toEqual([
      { email: "good@example.org", name: "Good", status: "pending" },
      { email: "quoted@example.org", name: "Multi\r\nline", status: "pending" },
      { email: "after@example.org", name: "After", status: "pending" },
    ]);

    // There the unclosed quote was the 26th bad line, not shown; alone, it is named by line.
    const short = [lines[0], ...lines.slice(26)];
    writeFileSync(path.join(ws.root, "short.csv"), `${short.join("\r\n")}\r\n`);
    const again = await env.warta("subscribers", "import", "short.csv");
    expect(again.stdout).toContain("imported 0, already present 3, bad 1");
    expect(reportedLines(again.stdout)).toEqual([7]);
    expect(again.stdout).toMatch(/line 7: not valid CSV/);
  });

  it("refuses a file without an email column or that does not exist", {
    timeout: 240_000,
  }, async () => {
    const env = setUp();
    ws = env.ws;
    writeFileSync(path.join(ws.root, "names.csv"), "name,language\nAna,id\n");
    const noEmail = await env.warta("subscribers", "import", "names.csv");
    expect(noEmail.code).toBe(1);
    expect(noEmail.stderr).toContain('no "email" column');
    const missing = await env.warta("subscribers", "import", "nowhere.csv");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("nowhere.csv");
  });

  it("exports CSV that imports into an empty store as the same subscribers", {
    timeout: 240_000,
  }, async () => {
    const env = setUp();
    ws = env.ws;
    const source = [
      "email,name,language,timezone,frequency,categories,status",
      'sari@example.org,"Wulandari, Sari ""Sari""",id,Asia/Jakarta,daily,,active',
      "andi@example.com,Andi Pratama,en,Asia/Makassar,weekly,ekonomi;olahraga,pending",
      "james@example.com,,en-GB,Europe/London,daily,Internasional,unsubscribed",
      "Dewi@Contoh.co.id,Dewi,id,Asia/Jayapura,weekly,daerah,",
    ].join("\n");
    writeFileSync(path.join(ws.root, "source.csv"), source);
    const imported = await env.warta("subscribers", "import", "source.csv");
    expect(imported.stdout).toContain("imported 4, already present 0, bad 0");
    expect(imported.code).toBe(0);

    const toFile = await env.warta("subscribers", "export", "--output", "out/export.csv");
    expect(toFile.code).toBe(0);
    const exported = readFileSync(path.join(ws.root, "out", "export.csv"), "utf8");
    const toStdout = await env.warta("subscribers", "export");
    expect(toStdout.stdout).toBe(exported);

    // Read back with csv-parse's own parser: what a spreadsheet or script would see.
    const records = parse(exported, { columns: true }) as Record<string, string>[];
    expect(Object.keys(records[0]!)).toEqual([
      "email",
      "name",
      "language",
      "timezone",
      "frequency",
      "categories",
      "status",
      "created",
      "confirmed",
    ]);
    expect(
      records.map((r) => [r.email, r.name, r.language, r.frequency, r.categories, r.status]),
    ).toEqual([
      ["sari@example.org", 'Wulandari, Sari "Sari"', "id", "daily", "", "active"],
      ["andi@example.com", "Andi Pratama", "en", "weekly", "ekonomi;olahraga", "pending"],
      ["james@example.com", "", "en", "daily", "internasional", "unsubscribed"],
      ["dewi@contoh.co.id", "Dewi", "id", "weekly", "daerah", "active"],
    ]);
    expect(records.map((r) => r.confirmed !== "")).toEqual([true, false, false, true]);
    expect(records.every((r) => !Number.isNaN(Date.parse(r.created!)))).toBe(true);

    other = createWorkspace();
    const otherConfig = other.writeConfig(workspaceConfig());
    const copy = path.join(other.root, "copy.csv");
    writeFileSync(copy, exported);
    const reimport = await runWarta(["subscribers", "import", copy, "--config", otherConfig], {
      cwd: other.root,
    });
    expect(reimport.stdout).toContain("imported 4, already present 0, bad 0");
    const reexport = await runWarta(["subscribers", "export", "--config", otherConfig], {
      cwd: other.root,
    });
    // Everything but the times of creation and confirmation, which are those of the import.
    const withoutTimes = (csv: string) =>
      (parse(csv, { columns: true }) as Record<string, string>[]).map(
        ({ created: _c, confirmed: _f, ...rest }) => rest,
      );
    expect(withoutTimes(reexport.stdout)).toEqual(withoutTimes(exported));
    expect(withoutTimes(reexport.stdout)).toHaveLength(4);
  });
});
