import { describe, expect, it } from "vitest";
import { describeDuration, parseDuration } from "./duration";

const bounds = { maxSeconds: 30 * 86_400, label: "wait" };

describe("parseDuration", () => {
  it.each<[unknown, number]>([
    [90, 90],
    ["45s", 45],
    ["15m", 900],
    ["2h", 7200],
    ["1d", 86_400],
    ["2w", 1_209_600],
    [" 3h ", 10_800],
    ["PT1H30M", 5400],
    ["pt10m", 600],
    ["P1D", 86_400],
    ["P1DT2H", 93_600],
    ["P1W", 604_800],
    ["PT30S", 30],
  ])("%j -> %i seconds", (input, seconds) => {
    expect(parseDuration(input, bounds)).toEqual({ ok: true, seconds });
  });

  it.each<[unknown, string]>([
    ["tomorrow", "wait must be a number of seconds"],
    ["1.5h", "wait must be a number of seconds"],
    ["P1M", "wait must be a number of seconds"],
    ["P1Y", "wait must be a number of seconds"],
    ["P", "wait must be a number of seconds"],
    ["PT", "wait must be a number of seconds"],
    ["P1DT", "wait must be a number of seconds"],
    ["-5m", "wait must be a number of seconds"],
    [1.5, "wait must be a number of seconds"],
    [null, "wait must be a number of seconds"],
    [0, "wait must be at least 1 second"],
    ["0m", "wait must be at least 1 second"],
    ["31d", "wait must be at most 30d"],
    [Number.MAX_SAFE_INTEGER, "wait must be at most 30d"],
  ])("%j is refused", (input, message) => {
    const result = parseDuration(input, bounds);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.message).toContain(message);
  });

  it("describes durations for people", () => {
    expect(describeDuration(90_061)).toBe("1d 1h 1m 1s");
    expect(describeDuration(0)).toBe("0s");
  });
});
