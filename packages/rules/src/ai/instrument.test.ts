import { describe, expect, it } from "vitest";
import { z } from "zod";
import { AI_ENV_SHAPE, createAiProvider } from "./config";
import { AiProviderError } from "./errors";
import { instrumentProvider, type AiCallRecord } from "./instrument";
import { createLocalProvider } from "./local/provider";
import type { AiProvider } from "./provider";

const noNetwork = { postJson: () => Promise.reject(new Error("no network in unit tests")) };

function clock(...readings: number[]) {
  return () => readings.shift() ?? 0;
}

describe("instrumentProvider", () => {
  it("records each call with size, latency and outcome, and never the text", async () => {
    const calls: AiCallRecord[] = [];
    const provider = instrumentProvider(createLocalProvider(), (call) => void calls.push(call), clock(100, 112.4, 200, 205));
    await provider.classify({ text: "quanto custa o plano secreto?" });
    await provider.flowFromText({ text: "faça algo", directory: { entries: [] } });
    expect(calls).toEqual([
      { purpose: "classify", provider: "local", model: null, latency_ms: 12, input_chars: 29, outcome: "ok", error_kind: null },
      { purpose: "flow_from_text", provider: "local", model: null, latency_ms: 5, input_chars: 9, outcome: "not_understood", error_kind: null },
    ]);
    expect(JSON.stringify(calls)).not.toContain("secreto");
  });

  it("records a failed call with the error's kind, and still throws it", async () => {
    const failing: AiProvider = { ...createLocalProvider(), name: "openai_compatible", model: "m", classify: () => Promise.reject(new AiProviderError("timeout", "late")) };
    const calls: AiCallRecord[] = [];
    const provider = instrumentProvider(failing, (call) => void calls.push(call), clock(0, 30));
    await expect(provider.classify({ text: "hi" })).rejects.toThrow("late");
    expect(calls).toEqual([{ purpose: "classify", provider: "openai_compatible", model: "m", latency_ms: 30, input_chars: 2, outcome: "error", error_kind: "timeout" }]);
  });
});

describe("createAiProvider", () => {
  const env = z.object(AI_ENV_SHAPE);

  it("is the local heuristic when no AI_BASE_URL is set", () => {
    const provider = createAiProvider(env.parse({}), noNetwork);
    expect([provider.name, provider.label]).toEqual(["local", "local heuristic"]);
  });

  it("is the OpenAI-compatible client, labelled with its model, when configured", () => {
    const provider = createAiProvider(env.parse({ AI_BASE_URL: "https://llm.internal.example/v1", AI_API_KEY: "k", AI_MODEL: "gpt-4o-mini" }), noNetwork);
    expect([provider.name, provider.label]).toEqual(["openai_compatible", "gpt-4o-mini"]);
  });

  it("refuses a base URL without a model", () => {
    expect(() => createAiProvider(env.parse({ AI_BASE_URL: "https://llm.internal.example/v1" }), noNetwork)).toThrow("AI_MODEL is required when AI_BASE_URL is set");
  });

  it.each([["ftp://llm.example"], ["not a url"]])("refuses AI_BASE_URL %s", (url) => {
    expect(env.safeParse({ AI_BASE_URL: url }).success).toBe(false);
  });
});
