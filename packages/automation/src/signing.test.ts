import { createHmac } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import {
  alfredSignature,
  bodySignature,
  buildDeliveryHeaders,
  checkTimestamp,
  standardWebhooksKey,
  standardWebhooksSignature,
  verifyAlfredSignature,
} from "./signing";

// Vectors pinned with `openssl dgst -sha256 -hmac <secret>` so neither side of a check is our code.
const VECTOR = {
  secret: "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTEyMw==",
  timestamp: 1700000000,
  eventId: "evt_1",
  tenantId: "ten_1",
  body: '{"a":1}',
  alfredHex: "7f31a73c95934347b1e8b24f203fc3401d6c81df19cfddb482dcb8823744355d",
  bodyHex: "809f9b8c46f5ac76d3adeac2995b821d28d1f8d05c3b56295b7da95d10fd93c2",
};

const CURRENT = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const PREVIOUS = "whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTEyMw==";
const EVENT_ID = "6a1f2c3d-4b5e-4f60-8a7b-9c0d1e2f3a4b";
const TENANT_ID = "0b4b8a4e-6c1f-4c43-9a6e-2f4f0f1d9a11";
const DESTINATION_ID = "5d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
const BODY = JSON.stringify({ event_id: EVENT_ID, tenant_id: TENANT_ID, type: "alfred.test", payload: { message: "olá ✓" } });

/** An independent implementation of the X-Alfred-Signature spec, straight from the docs. */
function referenceAlfred(secret: string, ts: string | number, eventId: string, tenantId: string, body: string) {
  return createHmac("sha256", Buffer.from(secret, "utf8")).update(`${ts}.${eventId}.${tenantId}.${body}`, "utf8").digest("hex");
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

function headersFor(secrets: string[], timestamp = nowSeconds(), rawBody = BODY) {
  return buildDeliveryHeaders({
    secrets,
    eventId: EVENT_ID,
    tenantId: TENANT_ID,
    destinationId: DESTINATION_ID,
    timestamp,
    rawBody,
    correlationId: "corr-123",
    version: "1.2.3",
  });
}

describe("alfredSignature", () => {
  it("matches the openssl-pinned vector", () => {
    expect(alfredSignature(VECTOR.secret, VECTOR.timestamp, VECTOR.eventId, VECTOR.tenantId, VECTOR.body)).toBe(VECTOR.alfredHex);
  });

  it("matches an independent HMAC keyed by the secret's UTF-8 bytes, whsec_ prefix included", () => {
    const expected = referenceAlfred(CURRENT, 1614265330, EVENT_ID, TENANT_ID, BODY);
    expect(alfredSignature(CURRENT, 1614265330, EVENT_ID, TENANT_ID, BODY)).toBe(expected);
    expect(expected).toMatch(/^[0-9a-f]{64}$/);
    // Keying by the decoded whsec_ bytes would be a different (wrong) MAC.
    const decodedKey = createHmac("sha256", standardWebhooksKey(CURRENT)).update(`1614265330.${EVENT_ID}.${TENANT_ID}.${BODY}`).digest("hex");
    expect(expected).not.toBe(decodedKey);
  });

  it("gives the same MAC for a string body and its UTF-8 bytes", () => {
    expect(alfredSignature(CURRENT, 1, EVENT_ID, TENANT_ID, Buffer.from(BODY, "utf8"))).toBe(
      alfredSignature(CURRENT, 1, EVENT_ID, TENANT_ID, BODY),
    );
  });
});

describe("bodySignature", () => {
  it("matches the openssl-pinned vector and an independent HMAC of the raw body", () => {
    expect(bodySignature(VECTOR.secret, VECTOR.body)).toBe(VECTOR.bodyHex);
    expect(bodySignature(CURRENT, BODY)).toBe(createHmac("sha256", CURRENT).update(BODY).digest("hex"));
  });
});

describe("standardWebhooksSignature", () => {
  it("reproduces the Standard Webhooks published vector", () => {
    const sig = standardWebhooksSignature("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, '{"test": 2432232314}');
    expect(`v1,${sig}`).toBe("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
  });

  it("keys by the base64-decoded whsec_ payload, and by raw UTF-8 bytes otherwise", () => {
    expect(standardWebhooksKey("whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LTEyMw==").toString("utf8")).toBe("secret-secret-secret-secret-123");
    expect(standardWebhooksKey("my-plain-user-secret-of-24+").toString("utf8")).toBe("my-plain-user-secret-of-24+");
    // Not strict base64 after the prefix: the whole string is the key, deterministically.
    expect(standardWebhooksKey("whsec_not base64!!").toString("utf8")).toBe("whsec_not base64!!");
  });
});

describe("buildDeliveryHeaders", () => {
  it("emits every header with the documented format", () => {
    const ts = 1700000000;
    const headers = headersFor([CURRENT], ts);
    expect(headers).toEqual({
      "Content-Type": "application/json",
      "User-Agent": "Alfred-Webhooks/1.2.3",
      "X-Alfred-Event-Id": EVENT_ID,
      "X-Alfred-Tenant-Id": TENANT_ID,
      "X-Alfred-Destination-Id": DESTINATION_ID,
      "X-Alfred-Timestamp": "1700000000",
      "X-Alfred-Signature": `sha256=${referenceAlfred(CURRENT, ts, EVENT_ID, TENANT_ID, BODY)}`,
      "X-Alfred-Body-Signature": `sha256=${createHmac("sha256", Buffer.from(CURRENT, "utf8")).update(BODY).digest("hex")}`,
      "webhook-id": EVENT_ID,
      "webhook-timestamp": "1700000000",
      "webhook-signature": `v1,${createHmac("sha256", Buffer.from("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "base64")).update(`${EVENT_ID}.${ts}.${BODY}`).digest("base64")}`,
      "X-Correlation-Id": "corr-123",
    });
  });

  it("never puts a secret in a header", () => {
    const headers = headersFor([CURRENT, PREVIOUS]);
    for (const value of Object.values(headers)) {
      expect(value).not.toContain(CURRENT);
      expect(value).not.toContain(PREVIOUS);
      expect(value).not.toContain("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    }
  });

  it("is verifiable by the standardwebhooks package", () => {
    const headers = headersFor([CURRENT]);
    expect(new Webhook(CURRENT).verify(BODY, headers)).toEqual(JSON.parse(BODY));
    expect(() => new Webhook(PREVIOUS).verify(BODY, headers)).toThrow();
    expect(() => new Webhook(CURRENT).verify(`${BODY} `, headers)).toThrow();
  });

  it("signs the body with the bodySecret it is given (the previous one through a rotation), the rest with every secret", () => {
    const ts = nowSeconds();
    const headers = buildDeliveryHeaders({ secrets: [CURRENT, PREVIOUS], bodySecret: PREVIOUS, eventId: EVENT_ID, tenantId: TENANT_ID, timestamp: ts, rawBody: BODY, correlationId: "c", version: "1.0", destinationId: DESTINATION_ID });
    expect(headers["X-Alfred-Body-Signature"]).toBe(`sha256=${bodySignature(PREVIOUS, BODY)}`);
    expect(headers["X-Alfred-Signature"]!.split(",")).toHaveLength(2);
  });

  it("during rotation signs with every secret: two sha256= values, two v1 signatures, body signature by the current one", () => {
    const ts = nowSeconds();
    const headers = headersFor([CURRENT, PREVIOUS], ts);
    const alfredValues = headers["X-Alfred-Signature"]!.split(",");
    expect(alfredValues).toEqual([
      `sha256=${referenceAlfred(CURRENT, ts, EVENT_ID, TENANT_ID, BODY)}`,
      `sha256=${referenceAlfred(PREVIOUS, ts, EVENT_ID, TENANT_ID, BODY)}`,
    ]);
    expect(headers["webhook-signature"]!.split(" ")).toHaveLength(2);
    expect(headers["X-Alfred-Body-Signature"]).toBe(`sha256=${bodySignature(CURRENT, BODY)}`);

    // A receiver holding either secret verifies, with the standard library and with ours.
    for (const secret of [CURRENT, PREVIOUS]) {
      expect(() => new Webhook(secret).verify(BODY, headers)).not.toThrow();
      expect(
        verifyAlfredSignature({ header: headers["X-Alfred-Signature"], secrets: [secret], timestamp: String(ts), eventId: EVENT_ID, tenantId: TENANT_ID, rawBody: BODY }),
      ).toBe(true);
    }
    expect(() => new Webhook("whsec_" + Buffer.from("an-unrelated-secret-of-some-length").toString("base64")).verify(BODY, headers)).toThrow();
  });

  it("keys Standard Webhooks by the raw UTF-8 bytes of a secret without the whsec_ prefix", () => {
    const plain = "plain-user-secret-äöü-0123456789";
    const headers = headersFor([plain]);
    expect(() => new Webhook(Buffer.from(plain, "utf8"), { format: "raw" }).verify(BODY, headers)).not.toThrow();
  });

  it("rejects calls that cannot produce a valid signature", () => {
    expect(() => headersFor([])).toThrow(/secret/);
    expect(() => headersFor([CURRENT], 1.5)).toThrow(/timestamp/);
    expect(() => headersFor([CURRENT], -1)).toThrow(/timestamp/);
  });
});

describe("verifyAlfredSignature", () => {
  const ts = "1700000000";
  const good = `sha256=${referenceAlfred(CURRENT, ts, EVENT_ID, TENANT_ID, BODY)}`;
  const base = { header: good, secrets: [CURRENT], timestamp: ts, eventId: EVENT_ID, tenantId: TENANT_ID, rawBody: BODY };

  it("accepts a signature made by the independent reference", () => {
    expect(verifyAlfredSignature(base)).toBe(true);
    expect(verifyAlfredSignature({ ...base, rawBody: Buffer.from(BODY) })).toBe(true);
  });

  it("accepts any valid sha256= value among several, with any valid secret", () => {
    const other = `sha256=${referenceAlfred(PREVIOUS, ts, EVENT_ID, TENANT_ID, BODY)}`;
    const junk = `sha256=${"0".repeat(64)}`;
    expect(verifyAlfredSignature({ ...base, header: `${junk},${good}` })).toBe(true);
    expect(verifyAlfredSignature({ ...base, header: `${junk}, ${other}`, secrets: [CURRENT, PREVIOUS] })).toBe(true);
    expect(verifyAlfredSignature({ ...base, header: `garbage,${good}` })).toBe(true);
    expect(verifyAlfredSignature({ ...base, header: other, secrets: [CURRENT] })).toBe(false);
  });

  const tampered: [string, Partial<typeof base>][] = [
    ["body changed", { rawBody: BODY.replace("olá", "ola") }],
    ["body with trailing newline", { rawBody: `${BODY}\n` }],
    ["body re-serialised with spaces", { rawBody: JSON.stringify(JSON.parse(BODY), null, 1) }],
    ["timestamp changed", { timestamp: "1700000001" }],
    ["timestamp re-formatted", { timestamp: "01700000000" }],
    ["event id changed", { eventId: "6a1f2c3d-4b5e-4f60-8a7b-9c0d1e2f3a4c" }],
    ["tenant id changed", { tenantId: "0b4b8a4e-6c1f-4c43-9a6e-2f4f0f1d9a12" }],
    ["event and tenant swapped", { eventId: TENANT_ID, tenantId: EVENT_ID }],
    ["wrong secret", { secrets: [PREVIOUS] }],
    ["secret without its whsec_ prefix", { secrets: ["MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"] }],
    ["no secrets", { secrets: [] }],
    ["empty secret", { secrets: [""] }],
  ];
  it.each(tampered)("rejects: %s", (_name, change) => {
    expect(verifyAlfredSignature({ ...base, ...change })).toBe(false);
  });

  const hex = good.slice("sha256=".length);
  const malformed: [string, string | null | undefined][] = [
    ["missing (undefined)", undefined],
    ["missing (null)", null],
    ["empty", ""],
    ["only commas", ",,,"],
    ["prefix only", "sha256="],
    ["bare hex without prefix", hex],
    ["other algorithm", `sha1=${hex}`],
    ["prefix in upper case", `SHA256=${hex}`],
    ["hex in upper case", `sha256=${hex.toUpperCase()}`],
    ["truncated hex", `sha256=${hex.slice(0, 63)}`],
    ["one extra hex digit", `sha256=${hex}0`],
    ["non-hex characters", `sha256=${"g".repeat(64)}`],
    ["base64 instead of hex", `sha256=${Buffer.from(hex, "hex").toString("base64")}`],
    ["Standard Webhooks format", `v1,${Buffer.from(hex, "hex").toString("base64")}`],
    ["space-separated instead of comma", `sha256=${"0".repeat(64)} ${good}`],
    ["valid value hidden past the entry limit", `${"x,".repeat(100)}${good}`],
    ["huge header", "sha256=".repeat(100_000)],
  ];
  it.each(malformed)("rejects a malformed header without throwing: %s", (_name, header) => {
    expect(() => verifyAlfredSignature({ ...base, header })).not.toThrow();
    expect(verifyAlfredSignature({ ...base, header })).toBe(false);
  });
});

describe("checkTimestamp", () => {
  const now = 1_700_000_000;
  const table: [string | null | undefined, ReturnType<typeof checkTimestamp>][] = [
    [String(now), "ok"],
    [String(now - 300), "ok"],
    [String(now + 300), "ok"],
    [String(now - 301), "stale"],
    [String(now + 301), "stale"],
    ["0", "stale"],
    ["99999999999", "stale"],
    [undefined, "malformed"],
    [null, "malformed"],
    ["", "malformed"],
    ["abc", "malformed"],
    ["-1700000000", "malformed"],
    ["+1700000000", "malformed"],
    ["1700000000.5", "malformed"],
    ["1.7e9", "malformed"],
    [" 1700000000", "malformed"],
    ["1700000000 ", "malformed"],
    ["0x6553f100", "malformed"],
    ["1700000000000000", "malformed"],
  ];
  it.each(table)("%s -> %s", (header, expected) => {
    expect(checkTimestamp(header, now, 300)).toBe(expected);
  });

  it("uses the given window", () => {
    expect(checkTimestamp(String(now - 60), now, 59)).toBe("stale");
    expect(checkTimestamp(String(now - 60), now, 60)).toBe("ok");
  });
});
