import { isAiProviderError, type AiErrorKind } from "./errors";
import type { AiProvider, AiProviderName } from "./provider";

/**
 * What goes into `ai_events` for each provider call: sizes and outcomes, never the text, the
 * prompt, the answer or the key. The caller adds the tenant (and message) it is working for.
 */
export interface AiCallRecord {
  purpose: "classify" | "flow_from_text";
  provider: AiProviderName;
  model: string | null;
  latency_ms: number;
  input_chars: number;
  outcome: "ok" | "not_understood" | "error";
  error_kind: AiErrorKind | null;
}

/** Wraps a provider so every call, successful or not, is recorded once through `record`. */
export function instrumentProvider(provider: AiProvider, record: (call: AiCallRecord) => void | Promise<void>, now: () => number = () => performance.now()): AiProvider {
  async function timed<T>(purpose: AiCallRecord["purpose"], text: string, call: () => Promise<T>, outcomeOf: (value: T) => AiCallRecord["outcome"]): Promise<T> {
    const started = now();
    const base = { purpose, provider: provider.name, model: provider.model, input_chars: text.length };
    try {
      const value = await call();
      await record({ ...base, latency_ms: Math.round(now() - started), outcome: outcomeOf(value), error_kind: null });
      return value;
    } catch (err) {
      await record({ ...base, latency_ms: Math.round(now() - started), outcome: "error", error_kind: isAiProviderError(err) ? err.kind : "transport" });
      throw err;
    }
  }
  return {
    name: provider.name,
    label: provider.label,
    model: provider.model,
    classify: (input) => timed("classify", input.text, () => provider.classify(input), () => "ok"),
    flowFromText: (input) => timed("flow_from_text", input.text, () => provider.flowFromText(input), (result) => (result.ok ? "ok" : "not_understood")),
  };
}
