import { EgressError, type EgressClient } from "@alfred/egress";
import { describe, expect, it } from "vitest";
import { egressJsonPoster } from "./classification";

/** The chat client's HTTP seam on the egress client: what it sends and how failures are named. */
function fakeEgress(answer: () => Promise<Awaited<ReturnType<EgressClient["postJson"]>>>) {
  const calls: { url: string; body: string; init: unknown }[] = [];
  const egress = {
    postJson: async (url: string, body: string, init: unknown) => {
      calls.push({ url, body, init });
      return answer();
    },
  } as unknown as EgressClient;
  return { egress, calls };
}

describe("egressJsonPoster", () => {
  it("posts the JSON body with the headers and timeout, and answers status, text and retry-after", async () => {
    const { egress, calls } = fakeEgress(async () => ({ status: 429, headers: { "retry-after": "2" }, text: "slow down", json: undefined, truncated: false }));
    const answer = await egressJsonPoster(egress).postJson("http://model.test/v1/chat/completions", { model: "m" }, { headers: { authorization: "Bearer k" }, timeoutMs: 1234 });
    expect(answer).toEqual({ status: 429, body: "slow down", headers: { "retry-after": "2" } });
    expect(calls).toEqual([{ url: "http://model.test/v1/chat/completions", body: '{"model":"m"}', init: { headers: { authorization: "Bearer k" }, timeoutMs: 1234, maxResponseBytes: 1024 * 1024 } }]);
  });

  it("turns an egress timeout into the TimeoutError the chat client retries, and passes other failures on", async () => {
    const timeout = fakeEgress(async () => Promise.reject(new EgressError("timeout", "no answer within 1234 ms", "detail")));
    await expect(egressJsonPoster(timeout.egress).postJson("http://m.test", {}, { headers: {}, timeoutMs: 1234 })).rejects.toMatchObject({ name: "TimeoutError" });
    const refused = fakeEgress(async () => Promise.reject(new EgressError("address_not_allowed", "address not allowed", "10.0.0.1")));
    await expect(egressJsonPoster(refused.egress).postJson("http://m.test", {}, { headers: {}, timeoutMs: 1234 })).rejects.toMatchObject({ name: "EgressError", kind: "address_not_allowed" });
  });
});
