import type { EgressClient } from "@alfred/egress";
import { EgressError } from "@alfred/egress";
import { createAiProvider, type AiEnv, type AiProvider, type JsonPoster } from "@alfred/rules";

/**
 * The model calls go through the guarded client like every outbound call (a model server on a
 * private address needs EGRESS_ALLOWLIST). A timeout becomes the `TimeoutError` the chat client
 * retries on; other transport failures fail at once.
 */
export function egressJsonPoster(egress: EgressClient): JsonPoster {
  return {
    async postJson(url, body, { headers, timeoutMs }) {
      try {
        const res = await egress.postJson(url, JSON.stringify(body), { headers, timeoutMs, maxResponseBytes: 1024 * 1024 });
        const flat = Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(", ") : v]));
        return { status: res.status, body: res.text, headers: flat };
      } catch (err) {
        if (err instanceof EgressError && err.kind === "timeout") {
          const timeout = new Error("the AI provider did not answer in time");
          timeout.name = "TimeoutError";
          throw timeout;
        }
        throw err;
      }
    },
  };
}

/** The deployment's provider: OpenAI-compatible when AI_BASE_URL is set, else the local heuristic. */
export function aiProviderFromEnv(env: AiEnv, egress: EgressClient): AiProvider {
  return createAiProvider(env, egressJsonPoster(egress));
}
