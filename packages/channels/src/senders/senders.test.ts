import { createEgressClient, EMPTY_ALLOWLIST } from "@alfred/egress";
import { afterAll, describe, expect, it } from "vitest";
import { ProviderSendError } from "./errors";
import { sendMessage } from "./index";
import { metaSendError } from "./meta-errors";
import { replySubject } from "./email";
import { isOutsideWhatsAppWindow } from "./window";

const metaErr = (code: number, extra: Record<string, unknown> = {}) => ({ error: { message: `(#${code}) msg`, type: "OAuthException", code, fbtrace_id: "AbC", ...extra } });

describe("metaSendError", () => {
  it.each<[string, "whatsapp" | "messenger" | "instagram", number, unknown, boolean, string]>([
    ["WhatsApp 131047 window", "whatsapp", 400, metaErr(131047), false, "window_closed"],
    ["Messenger outside window (10/2018278)", "messenger", 400, metaErr(10, { error_subcode: 2018278 }), false, "window_closed"],
    ["Instagram outside window (10/2534022)", "instagram", 400, metaErr(10, { error_subcode: 2534022 }), false, "window_closed"],
    ["invalid token 190", "whatsapp", 401, metaErr(190), false, "auth"],
    ["permission 200", "messenger", 403, metaErr(200), false, "auth"],
    ["invalid parameter 100", "whatsapp", 400, metaErr(100), false, "provider"],
    ["throughput 130429 on a 400", "whatsapp", 400, metaErr(130429), true, "rate_limited"],
    ["app rate limit 4", "messenger", 400, metaErr(4), true, "rate_limited"],
    ["HTTP 429 without a body", "whatsapp", 429, undefined, true, "rate_limited"],
    ["HTTP 500 with a Graph error", "whatsapp", 500, metaErr(1), true, "provider"],
    ["HTTP 503 with HTML", "instagram", 503, undefined, true, "provider"],
    ["transient 131000 on a 400", "whatsapp", 400, metaErr(131000), true, "provider"],
    ["HTTP 404 no body", "messenger", 404, undefined, false, "provider"],
  ])("%s", (_name, product, status, json, retryable, kind) => {
    const e = metaSendError(product, status, json, "<html>oops</html>");
    expect(e).toBeInstanceOf(ProviderSendError);
    expect(e.retryable).toBe(retryable);
    expect(e.kind).toBe(kind);
    expect(e.status).toBe(status);
  });

  it("131047 message is explicit about the 24-hour window and keeps the trace id", () => {
    const e = metaSendError("whatsapp", 400, metaErr(131047), "");
    expect(e.message).toMatch(/24 hours/);
    expect(e.message).toMatch(/template/);
    expect(e.providerCode).toBe(131047);
    expect(e.traceId).toBe("AbC");
  });

  it("a hostile answer is kept short and storable: NUL-free, at most 300 characters per part", () => {
    const long = `${"\u0000evil ".repeat(400)}end`;
    const e = metaSendError("whatsapp", 400, metaErr(100, { message: long, error_data: { details: long } }), "");
    expect(e.message).not.toContain("\u0000");
    expect(e.message.length).toBeLessThan(700);
    expect(metaSendError("instagram", 502, undefined, `<html>${"x".repeat(5000)}</html>`).message.length).toBeLessThan(400);
  });

  it("other errors carry Meta's message, code and details", () => {
    const e = metaSendError("whatsapp", 400, metaErr(131026, { error_data: { details: "Receiver is incapable of receiving this message" } }), "");
    expect(e.message).toContain("131026");
    expect(e.message).toContain("Receiver is incapable");
    expect(e.retryable).toBe(false);
  });
});

describe("isOutsideWhatsAppWindow", () => {
  const now = new Date("2025-06-18T12:00:00Z");
  it.each<[string, Date | null | undefined, boolean]>([
    ["no inbound message", null, true],
    ["undefined", undefined, true],
    ["1 minute ago", new Date(now.getTime() - 60_000), false],
    ["23h59m59s ago", new Date(now.getTime() - 86_399_000), false],
    ["exactly 24h ago", new Date(now.getTime() - 86_400_000), true],
    ["25h ago", new Date(now.getTime() - 90_000_000), true],
    ["in the future (skew)", new Date(now.getTime() + 5_000), false],
    ["invalid date", new Date("nope"), true],
  ])("%s -> %s", (_name, last, expected) => {
    expect(isOutsideWhatsAppWindow(last, now)).toBe(expected);
  });
});

describe("replySubject", () => {
  it.each([
    ["Order 1", "Re: Order 1"],
    ["Re: Order 1", "Re: Order 1"],
    ["RE: Order 1", "RE: Order 1"],
    ["AW: Bestellung", "AW: Bestellung"],
    ["", "Re: (no subject)"],
    ["line\r\nBcc: evil@x.test", "Re: line Bcc: evil@x.test"],
  ])("%j -> %j", (input, expected) => {
    expect(replySubject(input)).toBe(expected);
  });
});

describe("sendMessage: config failures are non-retryable, without any network call", () => {
  // Every case fails before a connection is attempted; the client would refuse one anyway.
  const egress = createEgressClient({ ssrfAllowlist: EMPTY_ALLOWLIST });
  afterAll(() => egress.close());
  const base = { egress, to: "x", body: "hi" };
  it.each<[string, Parameters<typeof sendMessage>[0], Record<string, unknown>, Record<string, unknown>, RegExp]>([
    ["api without send_url", "api", {}, { secret: "s" }, /this API channel has no send_url/],
    ["whatsapp without phone_number_id", "whatsapp", {}, { access_token: "t" }, /phone_number_id/],
    ["whatsapp without token", "whatsapp", { phone_number_id: "1" }, {}, /access_token/],
    ["whatsapp with a non-string id", "whatsapp", { phone_number_id: 123 }, { access_token: "t" }, /phone_number_id/],
    ["messenger without token", "messenger", { page_id: "1" }, {}, /page_access_token/],
    ["instagram without account id", "instagram", {}, { access_token: "t" }, /instagram_account_id/],
    ["email without smtp_url", "email", { inbound_address: "a@b.test" }, {}, /smtp_url/],
    ["email without from", "email", {}, { smtp_url: "smtp://127.0.0.1:1" }, /from_address/],
    ["email with an http smtp_url", "email", { inbound_address: "a@b.test" }, { smtp_url: "http://x" }, /must use smtp or smtps/],
    ["api with a file: send_url", "api", { send_url: "file:///etc/passwd" }, { secret: "s" }, /http/],
  ])("%s", async (_name, type, config, secrets, message) => {
    const err = await sendMessage(type, { ...base, to: type === "email" ? "c@d.test" : "x", config, secrets }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ProviderSendError);
    expect((err as ProviderSendError).retryable).toBe(false);
    expect((err as ProviderSendError).kind).toBe("config");
    expect((err as ProviderSendError).message).toMatch(message);
  });

  it("email to an invalid address is rejected before connecting", async () => {
    const err = await sendMessage("email", { ...base, to: "not-an-address", body: "x", config: { inbound_address: "a@b.test" }, secrets: { smtp_url: "smtp://127.0.0.1:1" } }).catch((e: unknown) => e);
    expect((err as ProviderSendError).kind).toBe("config");
  });

  it("WhatsApp outside the 24 h window fails fast with a clear, non-retryable error", async () => {
    const now = new Date("2025-06-18T12:00:00Z");
    const err = await sendMessage("whatsapp", {
      ...base,
      config: { phone_number_id: "1", api_base_url: "http://127.0.0.1:1/v21.0" },
      secrets: { access_token: "t" },
      lastInboundAt: new Date(now.getTime() - 25 * 3600_000),
      now,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderSendError);
    expect((err as ProviderSendError).kind).toBe("window_closed");
    expect((err as ProviderSendError).retryable).toBe(false);
    expect((err as ProviderSendError).message).toMatch(/24 hours/);
  });
});
