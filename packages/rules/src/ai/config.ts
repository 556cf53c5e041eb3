import { z } from "zod";
import type { JsonPoster } from "./chat-completions";
import { AiProviderError } from "./errors";
import { createLocalProvider } from "./local/provider";
import { createOpenAiCompatibleProvider } from "./openai-compatible";
import type { AiProvider } from "./provider";

/**
 * The AI variables, for each app's env.ts to include. They belong to the deployment: AI_BASE_URL
 * is never tenant-settable (see ChatClientConfig.baseUrl). Without AI_BASE_URL the local provider
 * is used and everything works offline.
 */
export const AI_ENV_SHAPE = {
  AI_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  AI_API_KEY: z.string().min(1).optional(),
  AI_MODEL: z.string().min(1).max(200).optional(),
  AI_TIMEOUT_MS: z.coerce.number().int().min(1000).max(120_000).default(15_000),
};

export type AiEnv = { AI_BASE_URL?: string; AI_API_KEY?: string; AI_MODEL?: string; AI_TIMEOUT_MS?: number };

export function createAiProvider(env: AiEnv, poster: JsonPoster): AiProvider {
  if (!env.AI_BASE_URL) return createLocalProvider();
  if (!env.AI_MODEL) throw new AiProviderError("misconfigured", "AI_MODEL is required when AI_BASE_URL is set");
  return createOpenAiCompatibleProvider({ baseUrl: env.AI_BASE_URL, apiKey: env.AI_API_KEY, model: env.AI_MODEL, timeoutMs: env.AI_TIMEOUT_MS }, poster);
}
