import { describe, expect, it } from "vitest";
import { parseRetryAfter } from "../../src/shared/retry-after.js";
import { parseCacheMaxAge, pollFloorOf } from "../../src/sources/http-headers.js";

const now = new Date("2025-03-01T08:00:00Z");

describe("parseRetryAfter", () => {
  it.each([
    ["120", 120],
    [" 0 ", 0],
    ["Sat, 01 Mar 2025 08:02:00 GMT", 120],
    ["Sat, 01 Mar 2025 07:00:00 GMT", 0],
  ])("reads %j as %i seconds", (value, seconds) => {
    expect(parseRetryAfter(value, now)).toBe(seconds);
  });

  it.each([["-5"], ["1.5"], ["soon"], [""]])("ignores %j", (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});

describe("parseCacheMaxAge", () => {
  it.each([
    ["max-age=900", 900],
    ["public, MAX-AGE=60, must-revalidate", 60],
    ['max-age="30"', 30],
    ["s-maxage=120", 120],
    ["max-age=10, s-maxage=120", 10],
  ])("reads %j as %i seconds", (value, seconds) => {
    expect(parseCacheMaxAge(value)).toBe(seconds);
  });

  it.each([["no-store"], ["max-age=abc"], ["max-age"]])("finds no lifetime in %j", (value) => {
    expect(parseCacheMaxAge(value)).toBeUndefined();
  });
});

describe("pollFloorOf", () => {
  it("takes the larger of max-age and Retry-After", () => {
    expect(pollFloorOf({ "cache-control": "max-age=60", "retry-after": "300" }, now)).toBe(300);
  });

  it("is undefined when the server says nothing", () => {
    expect(pollFloorOf({}, now)).toBeUndefined();
  });
});
