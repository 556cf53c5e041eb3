import { describe, expect, it } from "vitest";
import { contentDisposition } from "./download";

describe("contentDisposition", () => {
  it("keeps quotes, line breaks and path separators out of the header, and the real name in filename*", () => {
    expect(contentDisposition("attachment", 'a"b\r\nc/..\\d é.pdf')).toBe(`attachment; filename="a_b__c_.._d _.pdf"; filename*=UTF-8''a_b__c_.._d%20%C3%A9.pdf`);
    expect(contentDisposition("inline", null)).toBe(`inline; filename="file"; filename*=UTF-8''file`);
    expect(contentDisposition("inline", "it's (1).png")).toBe(`inline; filename="it's (1).png"; filename*=UTF-8''it%27s%20%281%29.png`);
  });
});
