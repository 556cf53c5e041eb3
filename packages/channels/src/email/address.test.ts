import { describe, expect, it } from "vitest";
import { normalizeMessageId, parseAddress, parseAddressList, parseMessageIdList } from "./address";

describe("parseAddress", () => {
  it.each([
    ["a@b.test", { address: "a@b.test" }],
    ["  A@B.Test ", { address: "a@b.test" }],
    ["Alice <Alice@Example.com>", { address: "alice@example.com", name: "Alice" }],
    ['"Nelson, Sheena" <s@x.test>', { address: "s@x.test", name: "Nelson, Sheena" }],
    ["<s@x.test>", { address: "s@x.test" }],
    ["nope", null],
    ["Name <not an address>", null],
    ["", null],
  ])("%j", (input, expected) => {
    expect(parseAddress(input)).toEqual(expected);
  });

  it("lists split outside quotes", () => {
    expect(parseAddressList('"Doe, J" <j@x.test>, k@x.test, junk').map((a) => a.address)).toEqual(["j@x.test", "k@x.test"]);
  });
});

describe("message ids", () => {
  it("normalise without angle brackets", () => {
    expect(normalizeMessageId("<abc@host>")).toBe("abc@host");
    expect(normalizeMessageId("  abc@host ")).toBe("abc@host");
    expect(normalizeMessageId("<Case@Host>")).toBe("Case@Host");
    expect(normalizeMessageId("")).toBeNull();
    expect(normalizeMessageId("two words")).toBeNull();
  });

  it("References: ordered, folded, deduplicated", () => {
    expect(parseMessageIdList("<a@x>\r\n <b@x>  <a@x>")).toEqual(["a@x", "b@x"]);
    expect(parseMessageIdList("a@x b@x")).toEqual(["a@x", "b@x"]);
    expect(parseMessageIdList(undefined)).toEqual([]);
  });
});
