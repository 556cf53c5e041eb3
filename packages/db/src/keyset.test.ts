import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor } from "./keyset";

describe("keyset cursors", () => {
  const id = "0b4b8a4e-6c1f-4c43-9a6e-2f4f0f1d9a11";

  it("round-trips microsecond timestamps exactly", () => {
    expect(decodeCursor(encodeCursor("2025-01-15T10:30:00.123456Z", id))).toEqual({ at: "2025-01-15T10:30:00.123456Z", id });
    expect(decodeCursor(encodeCursor("2025-01-15T10:30:00Z", id))).toEqual({ at: "2025-01-15T10:30:00Z", id });
  });

  it("treats no cursor as the first page", () => {
    expect(decodeCursor(undefined)).toBeNull();
    expect(decodeCursor("")).toBeNull();
  });

  it.each([
    ["not base64url", "%%%"],
    ["no separator", Buffer.from("2025-01-15T10:30:00Z").toString("base64url")],
    ["not a uuid", encodeCursor("2025-01-15T10:30:00Z", "1; drop table users")],
    ["not a timestamp", encodeCursor("yesterday", id)],
    ["an impossible date", encodeCursor("2025-13-45T10:30:00Z", id)],
    ["February 31 (Date.parse rolls it into March)", encodeCursor("2024-02-31T00:00:00Z", id)],
    ["the cursor of issue #16", "MjAyNC0wMi0zMVQwMDowMDowMFp8MDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAw"],
    ["a time that does not exist", encodeCursor("2025-01-15T24:00:00Z", id)],
    ["year 0, which Postgres has not", encodeCursor("0000-01-01T00:00:00Z", id)],
    ["SQL in the timestamp", encodeCursor("2025-01-15T10:30:00Z'); --", id)],
    ["too long", "a".repeat(201)],
  ])("refuses %s with a 422 naming cursor", (_name, cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(expect.objectContaining({ code: "validation_error", path: "cursor" }));
  });
});
