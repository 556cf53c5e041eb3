import { AppError } from "@alfred/core";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { generateDestinationSecret, validateUserSecret } from "./destination-secret";
import { standardWebhooksKey } from "./signing";

describe("generateDestinationSecret", () => {
  it("is whsec_ + base64 of 32 random bytes, accepted by the standardwebhooks package", () => {
    const secret = generateDestinationSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(standardWebhooksKey(secret)).toHaveLength(32);
    expect(() => new Webhook(secret)).not.toThrow();
    expect(validateUserSecret(secret)).toBe(secret);
  });

  it("never repeats", () => {
    const secrets = new Set(Array.from({ length: 200 }, generateDestinationSecret));
    expect(secrets.size).toBe(200);
  });
});

describe("validateUserSecret", () => {
  it.each([
    "a".repeat(24),
    "correct horse battery staple",
    "ünïcödé-sëcrët-with-24-chars",
    "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTEyMw==",
  ])("accepts %s", (secret) => {
    expect(validateUserSecret(secret)).toBe(secret);
  });

  const rejected: [string, unknown, RegExp][] = [
    ["23 characters", "a".repeat(23), /at least 24/],
    ["empty", "", /at least 24/],
    ["23 characters in 46 UTF-16 units", "😀".repeat(23), /at least 24/],
    ["absurdly long", "a".repeat(513), /at most 512/],
    ["leading space", ` ${"a".repeat(24)}`, /whitespace/],
    ["trailing newline", `${"a".repeat(24)}\n`, /whitespace/],
    ["control character inside", `${"a".repeat(12)}\u0000${"a".repeat(12)}`, /control/],
    ["whsec_ with non-base64 payload", "whsec_this is not base64 at all!!", /base64/],
    ["not a string", 1234567890, /string/],
    ["null", null, /string/],
  ];
  it.each(rejected)("rejects %s with a validation error on path 'secret'", (_name, secret, message) => {
    let caught: unknown;
    try {
      validateUserSecret(secret);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect(caught).toMatchObject({ code: "validation_error", path: "secret", status: 422 });
    expect((caught as AppError).message).toMatch(message);
  });
});
