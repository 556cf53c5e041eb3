import { z } from "zod";
import { AiProviderError } from "./errors";

/**
 * The HTTP seam. The deployment wires the SSRF-guarded client (`@alfred/egress`) in here; this
 * package never opens a socket itself.
 *
 * Contract: resolve with the status and the raw body text for every answer, whatever its status;
 * reject with an error named "TimeoutError" (what `AbortSignal.timeout` throws) when `timeoutMs`
 * passes; any other rejection is a transport failure and is not retried.
 */
export interface JsonPoster {
  postJson(url: string, body: unknown, options: { headers: Record<string, string>; timeoutMs: number }): Promise<{ status: number; body: string; headers?: Record<string, string | undefined> }>;
}

export interface ChatClientConfig {
  /**
   * From the deployment's environment (AI_BASE_URL), never from tenant settings: no tenant can
   * point Alfred's model calls, and the API key that goes with them, at an address of its choosing.
   */
  baseUrl: string;
  apiKey?: string;
  model: string;
  timeoutMs?: number;
  /** Attempts in all, the first included; retries happen on 429, 5xx and timeouts only. */
  maxAttempts?: number;
  retryBaseDelayMs?: number;
  maxRetryDelayMs?: number;
}

const chatResponseSchema = z.object({ choices: z.array(z.object({ message: z.object({ content: z.string() }) })).min(1) });

export type ChatMessage = { role: "system" | "user"; content: string };

/**
 * One chat-completions call in JSON mode, its output parsed and checked by `schema`: an answer that
 * is not JSON or not of that shape is an AiProviderError, never passed on.
 */
export async function chatJson<T>(config: ChatClientConfig, poster: JsonPoster, messages: ChatMessage[], schema: z.ZodType<T>): Promise<{ value: T; attempts: number }> {
  const url = `${config.baseUrl.replace(/\/+$/, "")}/chat/completions`;
  const timeoutMs = config.timeoutMs ?? 15_000;
  const maxAttempts = config.maxAttempts ?? 3;
  const headers: Record<string, string> = { "content-type": "application/json", ...(config.apiKey ? { authorization: `Bearer ${config.apiKey}` } : {}) };
  const body = { model: config.model, messages, response_format: { type: "json_object" }, temperature: 0 };

  for (let attempt = 1; ; attempt++) {
    let retryAfterMs: number | null = null;
    try {
      const response = await withDeadline(poster.postJson(url, body, { headers, timeoutMs }), timeoutMs);
      if (response.status >= 200 && response.status < 300) return { value: readAnswer(response.body, schema, attempt), attempts: attempt };
      if (response.status !== 429 && response.status < 500) throw new AiProviderError("http_status", `the AI provider answered ${response.status}`, { status: response.status, attempts: attempt });
      if (attempt >= maxAttempts) throw new AiProviderError("http_status", `the AI provider answered ${response.status} ${attempt} time(s)`, { status: response.status, attempts: attempt });
      retryAfterMs = retryAfter(response.headers?.["retry-after"]);
    } catch (err) {
      if (err instanceof AiProviderError) throw err;
      if (!isTimeout(err)) throw new AiProviderError("transport", `could not reach the AI provider (${(err as Error).name ?? "error"})`, { attempts: attempt, cause: err });
      if (attempt >= maxAttempts) throw new AiProviderError("timeout", `the AI provider did not answer within ${timeoutMs} ms, ${attempt} time(s)`, { attempts: attempt });
    }
    await sleep(Math.min(retryAfterMs ?? backoff(attempt, config.retryBaseDelayMs ?? 500), config.maxRetryDelayMs ?? 5000));
  }
}

function readAnswer<T>(text: string, schema: z.ZodType<T>, attempts: number): T {
  const envelope = chatResponseSchema.safeParse(parseJson(text));
  if (!envelope.success) throw new AiProviderError("invalid_shape", "the AI provider's answer is not a chat completion", { attempts });
  const content = parseJson(envelope.data.choices[0]!.message.content);
  if (content === undefined) throw new AiProviderError("invalid_json", "the model's output is not valid JSON", { attempts });
  const parsed = schema.safeParse(content);
  if (!parsed.success) {
    const where = parsed.error.issues.slice(0, 3).map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`).join("; ");
    throw new AiProviderError("invalid_shape", `the model's output does not have the expected shape (${where})`, { attempts });
  }
  return parsed.data;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const isTimeout = (err: unknown) => (err as Error | null)?.name === "TimeoutError";

/** The poster is asked to time out; this deadline holds even if it does not. */
function withDeadline<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error("deadline passed"), { name: "TimeoutError" })), timeoutMs + 1000);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

function retryAfter(header: string | undefined): number | null {
  if (header === undefined || !/^\d{1,6}$/.test(header.trim())) return null;
  return Number(header.trim()) * 1000;
}

function backoff(attempt: number, baseMs: number): number {
  return baseMs * 2 ** (attempt - 1) * (0.9 + Math.random() * 0.2);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
