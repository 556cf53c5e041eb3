import { MAX_WEBHOOK_BYTES } from "@alfred/channels";
import { createLogger } from "@alfred/core";
import { describe, expect, it } from "vitest";
import { handleCallback, MAX_CALLBACK_BYTES } from "./callbacks/handler";
import type { ApiDeps } from "./context";
import { handleRestRequest, MAX_JSON_BODY_BYTES } from "./rest/handler";
import { handleWebhook } from "./intake/webhooks";

/**
 * A body sent without Content-Length (chunked) must be cut off at the limit, not buffered whole and
 * measured afterwards: otherwise any anonymous client can make the server hold gigabytes in memory.
 */
const deps = { logger: createLogger("body-limits-test", "silent") } as unknown as ApiDeps;
const CHUNK = 64 * 1024;

function endlessBody(total: number) {
  let pulled = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled >= total) return controller.close();
      pulled += CHUNK;
      controller.enqueue(new Uint8Array(CHUNK).fill(0x61));
    },
  });
  return { stream, pulled: () => pulled };
}

function chunkedRequest(url: string, body: ReadableStream<Uint8Array>, headers: Record<string, string> = {}) {
  return new Request(url, { method: "POST", body, headers, duplex: "half" } as RequestInit & { duplex: "half" });
}

const TOTAL = 64 * 1024 * 1024;

describe("request bodies without Content-Length stop at the limit", () => {
  it("webhooks: 413 after reading at most the limit plus one chunk", async () => {
    const body = endlessBody(TOTAL);
    const res = await handleWebhook(chunkedRequest("http://alfred.test/api/v1/webhooks/whatsapp", body.stream), "whatsapp", deps);
    expect(res.status).toBe(413);
    expect(body.pulled()).toBeLessThanOrEqual(MAX_WEBHOOK_BYTES + 2 * CHUNK);
  });

  it("callbacks: 413 after reading at most the limit plus one chunk", async () => {
    const body = endlessBody(TOTAL);
    const res = await handleCallback(chunkedRequest("http://alfred.test/api/v1/automations/callbacks", body.stream), deps);
    expect(res.status).toBe(413);
    expect(body.pulled()).toBeLessThanOrEqual(MAX_CALLBACK_BYTES + 2 * CHUNK);
  });

  it("REST JSON bodies: 413 after reading at most the limit plus one chunk", async () => {
    const body = endlessBody(TOTAL);
    const res = await handleRestRequest(chunkedRequest("http://alfred.test/api/v1/auth/register", body.stream, { "content-type": "application/json" }), "/auth/register", deps);
    expect(res.status).toBe(413);
    expect(body.pulled()).toBeLessThanOrEqual(MAX_JSON_BODY_BYTES + 2 * CHUNK);
  });
});
