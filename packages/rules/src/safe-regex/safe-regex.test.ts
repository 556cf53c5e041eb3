import { describe, expect, it } from "vitest";
import { compileSafeRegex, MAX_SUBJECT_LENGTH, RegexSyntaxError } from ".";

const PATTERNS = [
  "abc", "^abc$", "a.c", "a*", "a+b", "colou?r", "^(?:ab|cd)+$", "[a-c]{2,3}x", "\\d{3}-\\d{4}", "^\\w+@\\w+\\.com$",
  "\\bpre[cç]o\\b", "[^aeiou]+$", "(foo|bar)baz", "x{2}", "x{2,}", "^$", "\\s+", "\\S\\s\\S", "\\Bcat", "cat\\b",
  "a|b|c", "(a|)b", "[\\d.]+", "[-a]", "\\.", "[]", "^[^]$", "\\u00e9", "(?<year>\\d{4})", "a{0,1}b", "(a*)*b",
];
const SUBJECTS = [
  "", "abc", "xabcx", "ac", "abbc", "aaab", "color", "colour", "ababcd", "abcx", "bbbx", "555-1234", "me@site.com",
  "qual o preço?", "preco", "rhythm", "foobaz", "barbaz", "xx", "xxx", "  ", "a b", "concat", "cat food", "b",
  "1.5", "-", ".", "é", "year 2024", "aaaaaaaab", "aaaa", "\n",
];

describe("safe regex: the same answers as JavaScript's engine", () => {
  it.each(PATTERNS)("%s", (pattern) => {
    const safe = compileSafeRegex(pattern);
    const native = new RegExp(pattern, "u");
    for (const subject of SUBJECTS) expect({ subject, result: safe.test(subject) }).toEqual({ subject, result: native.test(subject) });
  });
});

describe("safe regex: refused patterns", () => {
  it.each([
    ["(a)\\1", "backreferences"],
    ["(?<n>a)\\k<n>", "backreferences"],
    ["(?=a)b", "lookahead"],
    ["(?!a)b", "lookahead"],
    ["(?<=a)b", "lookbehind"],
    ["(?<!a)b", "lookbehind"],
    ["\\p{L}", "unicode property"],
    ["a{1,1000}", "limited to 100"],
    ["a{3,2}", "out of order"],
    ["*a", "nothing to repeat"],
    ["a**", "cannot follow a quantifier"],
    ["^*", "nothing to repeat"],
    ["(ab", "missing ')'"],
    ["ab)", "unmatched ')'"],
    ["[ab", "missing ']'"],
    ["[z-a]", "out of order"],
    ["[\\d-z]", "cannot use a class"],
    ["a{", '"{" must start a repetition'],
    ["a]", 'lone "]"'],
    ["\\q", "unknown escape"],
    ["abc\\", "lone \\"],
    ["(?x)", "unsupported group"],
    ["a".repeat(201), "longer than 200"],
    ["((a{100}){100}){100}", "too complex"],
  ])("%s -> %s", (pattern, message) => {
    expect(() => compileSafeRegex(pattern)).toThrow(RegexSyntaxError);
    expect(() => compileSafeRegex(pattern)).toThrow(message);
  });
});

describe("safe regex: patterns that make a backtracking engine explode finish in one pass", () => {
  // A backtracking engine needs ~2^n steps for these; if ours backtracked, the test would time out.
  it.each([
    ["(a+)+$", "a".repeat(5000) + "!"],
    ["(a|a)*b", "a".repeat(5000)],
    ["(a*)*b", "a".repeat(5000)],
    ["^(\\w+\\s?)*$", "word ".repeat(1000) + "!"],
    ["\\s*\\s*\\s*\\s*x$", " ".repeat(5000)],
  ])("%s", (pattern, subject) => {
    expect(compileSafeRegex(pattern).test(subject)).toBe(false);
  });

  it("searches only the first MAX_SUBJECT_LENGTH characters", () => {
    const regex = compileSafeRegex("needle");
    expect(regex.test("x".repeat(MAX_SUBJECT_LENGTH - 6) + "needle")).toBe(true);
    expect(regex.test("x".repeat(MAX_SUBJECT_LENGTH) + "needle")).toBe(false);
  });
});

describe("safe regex: ignoring case and accents", () => {
  it.each([
    ["preço", "QUAL O PRECO?", true],
    ["PRECO", "qual o preço", true],
    ["[A-Z]+\\d", "abc1", true],
    ["^ola$", "Olá", true],
    ["\\u00C9", "e", true],
    ["[^a-z]", "ABC", false],
    ["preço", "prazo", false],
  ])("%s on %s -> %s", (pattern, subject, expected) => {
    expect(compileSafeRegex(pattern, { fold: true }).test(subject)).toBe(expected);
  });

  it("is case-sensitive without the option", () => {
    expect(compileSafeRegex("Preço").test("preço")).toBe(false);
  });
});
