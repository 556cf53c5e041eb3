import type { AiProvider } from "../provider";
import { classifyLocally } from "./classify";
import { flowFromTextLocally } from "./flow-from-text";

export const LOCAL_PROVIDER_LABEL = "local heuristic";

/** The default provider: deterministic, offline, documented in README.md. */
export function createLocalProvider(): AiProvider {
  return {
    name: "local",
    label: LOCAL_PROVIDER_LABEL,
    model: null,
    classify: async ({ text }) => classifyLocally(text),
    flowFromText: async (input) => flowFromTextLocally(input),
  };
}
