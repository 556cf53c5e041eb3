import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { findInputProblem, isStorableText, jsonByteLength, normalizeJsonStrings, normalizeText, UNSTORABLE_TEXT_MESSAGE } from "./storable-text";
import { deepJsonText, fuzzParameters, hostileJson, hostileString, unstorableString } from "./testing/hostile";

/** What Postgres refuses: a NUL anywhere, or a lone surrogate (JSON.stringify escapes it as \udxxx). */
function postgresWouldRefuse(json: string): boolean {
  return /\\u0000/.test(json) || /\\ud[89a-f][0-9a-f]{2}/i.test(json);
}

const params = fuzzParameters(500);

describe("normalizeText", () => {
  it("always yields text Postgres stores in text and jsonb", () => {
    fc.assert(
      fc.property(hostileString(60), (text) => {
        const out = normalizeText(text);
        expect(isStorableText(out)).toBe(true);
        expect(postgresWouldRefuse(JSON.stringify(out))).toBe(false);
        // Well-formed UTF-16 survives the UTF-8 round trip to the database unchanged.
        expect(Buffer.from(out, "utf8").toString("utf8")).toBe(out);
      }),
      params,
    );
  });

  it("is idempotent", () => {
    fc.assert(fc.property(hostileString(60), (text) => {
        expect(normalizeText(normalizeText(text))).toBe(normalizeText(text));
      }), params);
  });

  it("leaves storable text untouched, RTL and zero-width characters included", () => {
    const storable = fc.string({ unit: "binary", maxLength: 60 }).map((s) => s.replaceAll("\u0000", ""));
    fc.assert(fc.property(storable, (text) => {
        expect(normalizeText(text)).toBe(text);
      }), params);
    expect(normalizeText("\u202Eabc\u200B😀")).toBe("\u202Eabc\u200B😀");
  });

  it.each([
    ["a NUL", "a\u0000b", "ab"],
    ["a lone high surrogate", "a\uD800b", "a\uFFFDb"],
    ["a lone low surrogate", "a\uDC00b", "a\uFFFDb"],
    ["a reversed pair", "\uDC00\uD800", "\uFFFD\uFFFD"],
    ["halves parted by a NUL (never joined into a new character)", "\uD83D\u0000\uDE00", "\uFFFD\uFFFD"],
    ["a surrogate at the end", "abc\uD83D", "abc\uFFFD"],
  ])("repairs %s", (_name, input, expected) => {
    expect(normalizeText(input)).toBe(expected);
  });
});

describe("normalizeJsonStrings", () => {
  it("always yields JSON Postgres stores as jsonb, and is idempotent", () => {
    fc.assert(
      fc.property(hostileJson(), (value) => {
        const out = normalizeJsonStrings(value);
        expect(postgresWouldRefuse(JSON.stringify(out) ?? "")).toBe(false);
        expect(normalizeJsonStrings(out)).toEqual(out);
        expect(findInputProblem(out, { maxDepth: 64 })).toBeNull();
      }),
      params,
    );
  });

  it("returns storable JSON equal to what it was given", () => {
    const storable = hostileJson().filter((v) => findInputProblem(v, { maxDepth: 64 }) === null);
    fc.assert(fc.property(storable, (value) => {
        expect(normalizeJsonStrings(value)).toEqual(value);
      }), params);
  });

  it("repairs keys as well as values, and does not touch the input", () => {
    const input = { "na\u0000me": ["x\uD800", { "\uDC00": "ok" }] };
    expect(normalizeJsonStrings(input)).toEqual({ name: ["x\uFFFD", { "\uFFFD": "ok" }] });
    expect(input).toEqual({ "na\u0000me": ["x\uD800", { "\uDC00": "ok" }] });
  });

  it("keeps a __proto__ key as data", () => {
    const out = normalizeJsonStrings(JSON.parse('{"__proto__":{"polluted":"\\u0000yes"}}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(out, "__proto__")?.value).toEqual({ polluted: "yes" });
  });

  it("walks 100,000 levels without overflowing the stack", () => {
    const deep = JSON.parse(deepJsonText(100_000)) as unknown;
    expect(() => normalizeJsonStrings(deep)).not.toThrow();
  });
});

describe("findInputProblem", () => {
  it("finds every unstorable string, naming where it is", () => {
    fc.assert(
      fc.property(unstorableString(), fc.array(fc.constantFrom("a", "b", "0"), { maxLength: 5 }), (bad, path) => {
        const value = path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), bad);
        expect(findInputProblem(value, { maxDepth: 32 })).toEqual({ path: path.length ? path.join(".") : "(root)", message: UNSTORABLE_TEXT_MESSAGE });
      }),
      params,
    );
  });

  it("agrees with normalizeJsonStrings about what is storable", () => {
    fc.assert(fc.property(hostileJson(), (value) => {
        expect(findInputProblem(value, { maxDepth: 64 }) === null).toBe(JSON.stringify(normalizeJsonStrings(value)) === JSON.stringify(value));
      }), params);
  });

  it.each([
    ["a NUL in a key (the path shows it stripped)", { attributes: { "a\u0000": 1 } }, "attributes.a", `key ${UNSTORABLE_TEXT_MESSAGE}`],
    ["a lone surrogate in an array", { tags: ["ok", "\uD800"] }, "tags.1", UNSTORABLE_TEXT_MESSAGE],
    ["a NUL at the top", "\u0000", "(root)", UNSTORABLE_TEXT_MESSAGE],
  ])("reports %s", (_name, value, path, message) => {
    expect(findInputProblem(value, { maxDepth: 32 })).toEqual({ path, message });
  });

  it("refuses nesting past the bound without recursion, and accepts it up to the bound", () => {
    const problem = findInputProblem(JSON.parse(deepJsonText(100_000)), { maxDepth: 32 });
    expect(problem).toEqual({ path: Array(32).fill("a").join("."), message: "is nested deeper than 32 levels" });
    expect(findInputProblem(JSON.parse(deepJsonText(32)), { maxDepth: 32 })).toBeNull();
  });

  it("treats Dates and numbers as leaves", () => {
    expect(findInputProblem({ since: new Date(), limit: 5, ok: true, none: null }, { maxDepth: 1 })).toBeNull();
  });
});

describe("jsonByteLength", () => {
  it("counts UTF-8 bytes of the JSON text", () => {
    expect(jsonByteLength({ a: "é" })).toBe(Buffer.byteLength('{"a":"é"}'));
    expect(jsonByteLength(undefined)).toBe(0);
  });
});
