import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { EARLIEST_INSTANT, isInstantInRange, LATEST_INSTANT, parseIsoInstant } from "./instant";
import { fuzzParameters, HOSTILE_INSTANTS } from "./testing/hostile";

describe("parseIsoInstant", () => {
  it.each([
    ["2025-01-15T10:30:00Z", "2025-01-15T10:30:00.000Z"],
    ["2025-01-15T10:30:00.123456Z", "2025-01-15T10:30:00.123Z"],
    ["2025-01-15T10:30Z", "2025-01-15T10:30:00.000Z"],
    ["2025-01-15T12:30:00+02:00", "2025-01-15T10:30:00.000Z"],
    ["2025-01-15T05:00:00-05:30", "2025-01-15T10:30:00.000Z"],
    ["2024-02-29", "2024-02-29T00:00:00.000Z"],
    ["2025-01-15t10:30:00z", "2025-01-15T10:30:00.000Z"],
  ])("reads %s", (text, iso) => {
    expect(parseIsoInstant(text)?.toISOString()).toBe(iso);
  });

  it.each(HOSTILE_INSTANTS.filter((text) => !["0000-01-01", "0000-01-01T00:00:00Z", "1969-12-31T23:59:59Z"].includes(text)))("refuses %j", (text) => {
    expect(parseIsoInstant(text)).toBeNull();
  });

  it("agrees with Date for every existing instant it is given in ISO form", () => {
    const instants = fc.date({ min: EARLIEST_INSTANT, max: LATEST_INSTANT, noInvalidDate: true });
    fc.assert(
      fc.property(instants, (date) => {
        expect(parseIsoInstant(date.toISOString())?.getTime()).toBe(date.getTime());
      }),
      fuzzParameters(300),
    );
  });
});

describe("isInstantInRange", () => {
  it.each([
    ["year 0", "0000-01-01T00:00:00Z", false],
    ["just before 1970", "1969-12-31T23:59:59Z", false],
    ["1970", "1970-01-01T00:00:00Z", true],
    ["9999", "9999-12-31T23:59:59Z", true],
  ])("%s", (_name, text, expected) => {
    expect(isInstantInRange(parseIsoInstant(text)!)).toBe(expected);
  });

  it("refuses the largest JS date", () => {
    expect(isInstantInRange(new Date(8.64e15))).toBe(false);
  });
});
