import { describe, expect, it } from "vitest";
import { boundedSnippet, SNIPPET_MAX_CHARS } from "./snippet";

describe("boundedSnippet", () => {
  it.each([
    ["plain", "plain"],
    ["  padded\n\n answer\t", "padded answer"],
    ["nul\u0000in\u0000the middle", "nul in the middle"],
    ["bell\u0007 and escape\u001b[31m", "bell and escape [31m"],
    ["c1\u0085control", "c1 control"],
    ["", ""],
  ])("%j -> %j", (input, expected) => {
    expect(boundedSnippet(input)).toBe(expected);
  });

  it(`keeps at most ${SNIPPET_MAX_CHARS} characters, ending with an ellipsis`, () => {
    const out = boundedSnippet("a".repeat(5000));
    expect(out).toHaveLength(SNIPPET_MAX_CHARS);
    expect(out.endsWith("…")).toBe(true);
    expect(boundedSnippet("b".repeat(SNIPPET_MAX_CHARS))).toBe("b".repeat(SNIPPET_MAX_CHARS));
  });

  it("never leaves half an emoji at the cut", () => {
    const out = boundedSnippet(`${"a".repeat(8)}😀😀`, 10);
    expect(out).toBe(`${"a".repeat(8)}…`);
    expect(out).not.toMatch(/[\ud800-\udbff]/);
  });
});
