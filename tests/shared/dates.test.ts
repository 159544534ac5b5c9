import { describe, expect, it } from "vitest";
import { findNewsDate, parseNewsDate } from "../../src/shared/dates.js";
import { isAppError } from "../../src/shared/errors.js";

const JAKARTA = "Asia/Jakarta";

/** Parses in the given zone and returns the ISO string, or undefined. */
function iso(text: string, timezone = JAKARTA): string | undefined {
  return parseNewsDate(text, timezone)?.toISOString();
}

describe("parseNewsDate with Indonesian pages", () => {
  it("reads a month-day-year date with an Indonesian weekday as local midnight", () => {
    // Midnight in Jakarta (UTC+7) is 17:00 UTC the day before.
    expect(iso("Sabtu, Mei 4, 2024")).toBe("2024-05-03T17:00:00.000Z");
  });

  it("reads a day-month-year date with a time in WIB", () => {
    expect(iso("Sabtu, 4 Mei 2024 10:15 WIB")).toBe("2024-05-04T03:15:00.000Z");
  });

  it("reads dd/mm/yyyy as day first", () => {
    expect(iso("Kamis, 05/11/2015 10:08 WIB")).toBe("2015-11-05T03:08:00.000Z");
    expect(iso("05-11-2015")).toBe("2015-11-04T17:00:00.000Z");
    expect(iso("05.11.2015")).toBe("2015-11-04T17:00:00.000Z");
  });

  it("reads year-first numeric dates", () => {
    expect(iso("2015/11/05")).toBe("2015-11-04T17:00:00.000Z");
  });

  it("applies WITA as UTC+8 and WIT as UTC+9", () => {
    expect(iso("Jumat, 3 Mei 2024 pukul 10.15 WITA")).toBe("2024-05-03T02:15:00.000Z");
    expect(iso("Senin, 6 Mei 2024 08:00 WIT")).toBe("2024-05-05T23:00:00.000Z");
  });

  it("accepts Jum'at with a straight or curly apostrophe, and Ahad", () => {
    expect(iso("Jum'at, 3 Mei 2024")).toBe("2024-05-02T17:00:00.000Z");
    expect(iso("Jum\u2019at, 3 Mei 2024")).toBe("2024-05-02T17:00:00.000Z");
    expect(iso("Ahad, 5 Mei 2024")).toBe("2024-05-04T17:00:00.000Z");
  });

  it("knows every Indonesian month name", () => {
    const months = [
      "Januari",
      "Februari",
      "Maret",
      "April",
      "Mei",
      "Juni",
      "Juli",
      "Agustus",
      "September",
      "Oktober",
      "November",
      "Desember",
    ];
    months.forEach((month, index) => {
      // The 15th at noon in Jakarta is 05:00 UTC on the same day.
      const expected = `2023-${String(index + 1).padStart(2, "0")}-15T05:00:00.000Z`;
      expect(iso(`15 ${month} 2023 12:00`), month).toBe(expected);
    });
  });

  it("knows the abbreviations newsrooms print", () => {
    expect(iso("4 Okt 2024")).toBe("2024-10-03T17:00:00.000Z");
    expect(iso("4 Nop 2024")).toBe("2024-11-03T17:00:00.000Z");
    expect(iso("4 Nov 2024")).toBe("2024-11-03T17:00:00.000Z");
    expect(iso("17 Agt 2023")).toBe("2023-08-16T17:00:00.000Z");
    expect(iso("17 Agus 2023")).toBe("2023-08-16T17:00:00.000Z");
    expect(iso("25 Des 2023")).toBe("2023-12-24T17:00:00.000Z");
    expect(iso("4 Okt. 2024")).toBe("2024-10-03T17:00:00.000Z");
  });

  it("ignores the non-breaking spaces copied from web pages", () => {
    expect(iso("Sabtu,\u00a04\u00a0Mei\u00a02024")).toBe("2024-05-03T17:00:00.000Z");
  });

  it("accepts the words pages put around a date", () => {
    expect(iso("Diterbitkan: Sabtu, 4 Mei 2024 | 10:15 WIB")).toBe("2024-05-04T03:15:00.000Z");
    expect(iso("Sabtu, 4 Mei 2024 - 10:15 WIB")).toBe("2024-05-04T03:15:00.000Z");
  });
});

describe("parseNewsDate with English pages", () => {
  it("reads day month year", () => {
    expect(iso("4 May 2024")).toBe("2024-05-03T17:00:00.000Z");
  });

  it("reads month day, year with a 12-hour time", () => {
    expect(iso("May 4, 2024 3:05 pm")).toBe("2024-05-04T08:05:00.000Z");
    expect(iso("Saturday, May 4, 2024 3:05 p.m.")).toBe("2024-05-04T08:05:00.000Z");
  });

  it("treats 12 am as midnight and 12 pm as noon", () => {
    expect(iso("May 4, 2024 12:30 am")).toBe("2024-05-03T17:30:00.000Z");
    expect(iso("May 4, 2024 12:00 pm")).toBe("2024-05-04T05:00:00.000Z");
  });

  it("reads ordinals, 'at' and an hour without minutes", () => {
    expect(iso("May 4th, 2024")).toBe("2024-05-03T17:00:00.000Z");
    expect(iso("Wednesday, September 11, 2024 at 9:30 am")).toBe("2024-09-11T02:30:00.000Z");
    expect(iso("Published: May 4, 2024 at 3pm")).toBe("2024-05-04T08:00:00.000Z");
  });

  it("knows short month and weekday names", () => {
    expect(iso("Sat, 4 May 2024")).toBe("2024-05-03T17:00:00.000Z");
    expect(iso("Tue, 10 Sept 2024")).toBe("2024-09-09T17:00:00.000Z");
  });
});

describe("parseNewsDate with machine formats", () => {
  it("reads RFC 3339 with an offset, with Z and with fractions", () => {
    expect(iso("2024-05-04T10:15:00+07:00")).toBe("2024-05-04T03:15:00.000Z");
    expect(iso("2024-05-04T10:15:00Z")).toBe("2024-05-04T10:15:00.000Z");
    expect(iso("2024-05-04T10:15:00.250-05:00")).toBe("2024-05-04T15:15:00.250Z");
    expect(iso("2024-05-04T10:15:00+0700")).toBe("2024-05-04T03:15:00.000Z");
  });

  it("reads ISO 8601 without an offset as local time in the given zone", () => {
    expect(iso("2024-05-04T10:15:00")).toBe("2024-05-04T03:15:00.000Z");
    expect(iso("2024-05-04 10:15")).toBe("2024-05-04T03:15:00.000Z");
    expect(iso("2024-05-04")).toBe("2024-05-03T17:00:00.000Z");
  });

  it("reads RFC 822 dates with numeric offsets and GMT", () => {
    expect(iso("Sat, 04 May 2024 10:15:00 +0700")).toBe("2024-05-04T03:15:00.000Z");
    expect(iso("Sat, 04 May 2024 10:15:00 GMT")).toBe("2024-05-04T10:15:00.000Z");
    expect(iso("Fri, 03 May 2024 22:15:00 -0500")).toBe("2024-05-04T03:15:00.000Z");
    expect(iso("Sat, 04 May 2024 10:15:00 UTC")).toBe("2024-05-04T10:15:00.000Z");
  });

  it("reads GMT and UTC with an offset", () => {
    expect(iso("Sabtu, 4 Mei 2024 10:15 GMT+7")).toBe("2024-05-04T03:15:00.000Z");
    expect(iso("4 May 2024 10:15 UTC+07:00")).toBe("2024-05-04T03:15:00.000Z");
  });

  it("lets an explicit zone win over the given time zone", () => {
    expect(iso("Sabtu, 4 Mei 2024 10:15 WIB", "Europe/Amsterdam")).toBe("2024-05-04T03:15:00.000Z");
  });
});

describe("parseNewsDate in zones with daylight saving time", () => {
  const AMSTERDAM = "Europe/Amsterdam";

  it("uses summer time (UTC+2) in May and winter time (UTC+1) in January", () => {
    expect(iso("4 May 2024 10:15", AMSTERDAM)).toBe("2024-05-04T08:15:00.000Z");
    expect(iso("4 January 2024 10:15", AMSTERDAM)).toBe("2024-01-04T09:15:00.000Z");
    expect(iso("2024-05-04", AMSTERDAM)).toBe("2024-05-03T22:00:00.000Z");
  });

  it("moves a time skipped by the spring change forward by the gap", () => {
    // 02:30 does not exist on 31 March 2024; clocks jump from 02:00 CET to 03:00 CEST.
    expect(iso("2024-03-31 02:30", AMSTERDAM)).toBe("2024-03-31T01:30:00.000Z");
  });

  it("takes the first of the two 02:30s of the autumn change", () => {
    // 02:30 CEST (UTC+2) comes before 02:30 CET (UTC+1) on 27 October 2024.
    expect(iso("2024-10-27 02:30", AMSTERDAM)).toBe("2024-10-27T00:30:00.000Z");
  });

  it("uses daylight time in New York", () => {
    expect(iso("May 4, 2024 3:05 pm", "America/New_York")).toBe("2024-05-04T19:05:00.000Z");
  });
});

describe("parseNewsDate refuses what is not a date", () => {
  it.each([
    [""],
    ["   "],
    ["28.4 C"],
    ["1991"],
    ["2024"],
    ["12345678"],
    ["10:15"],
    ["Jambi City"],
    ["Populer"],
    ["4 Mei"],
    ["Mei 2024"],
    ["Sabtu"],
    ["Kazakhstan Incar Kerja Sama Militer dengan Turki"],
    ["Pada tahun 1991, kami mengalami gempa bumi di Kazakhstan."],
    ["Kendaraan Barys 8×8 mereka dapat menahan ledakan 10 kg trotyl"],
  ])("returns undefined for %j", (text) => {
    expect(parseNewsDate(text, JAKARTA)).toBeUndefined();
  });

  it("returns undefined for days and times that do not exist", () => {
    expect(iso("31 Februari 2024")).toBeUndefined();
    expect(iso("29 Februari 2023")).toBeUndefined();
    expect(iso("13/13/2024")).toBeUndefined();
    expect(iso("4 Mei 2024 25:10")).toBeUndefined();
    expect(iso("May 4, 2024 13:05 pm")).toBeUndefined();
    expect(iso("2024-02-30")).toBeUndefined();
  });

  it("accepts 29 February in a leap year", () => {
    expect(iso("29 Februari 2024")).toBe("2024-02-28T17:00:00.000Z");
  });
});

describe("parseNewsDate with a bad time zone", () => {
  it("throws CONFIG_INVALID naming the zone", () => {
    let caught: unknown;
    try {
      parseNewsDate("2024-05-04T10:15:00Z", "Asia/Atlantis");
    } catch (error) {
      caught = error;
    }
    expect(isAppError(caught, "CONFIG_INVALID")).toBe(true);
    expect((caught as Error).message).toContain("Asia/Atlantis");
  });
});

describe("findNewsDate", () => {
  it("finds the date inside a byline and reports where it is", () => {
    const line = "Oleh Admin - Sabtu, 4 Mei 2024 | 10:15 WIB";
    const found = findNewsDate(line, JAKARTA);
    expect(found?.date.toISOString()).toBe("2024-05-04T03:15:00.000Z");
    expect(found?.text).toBe("Sabtu, 4 Mei 2024 | 10:15 WIB");
    expect(found?.index).toBe(13);
  });

  it("finds a numeric date after the site's name", () => {
    const found = findNewsDate("Kompas.com - 04/05/2024, 10:15 WIB", JAKARTA);
    expect(found?.text).toBe("04/05/2024, 10:15 WIB");
    expect(found?.date.toISOString()).toBe("2024-05-04T03:15:00.000Z");
  });

  it("finds nothing in a line without a date", () => {
    expect(
      findNewsDate("Kazakhstan Incar Kerja Sama Militer dengan Turki", JAKARTA),
    ).toBeUndefined();
    expect(findNewsDate("28.4 C", JAKARTA)).toBeUndefined();
  });
});
