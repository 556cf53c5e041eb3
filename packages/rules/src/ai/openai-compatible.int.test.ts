import { createServer, request, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { IDS } from "../testing/fixtures";
import type { JsonPoster } from "./chat-completions";
import { AiProviderError } from "./errors";
import { createOpenAiCompatibleProvider } from "./openai-compatible";

/** A test-only poster on node:http; production wires the SSRF-guarded client instead. */
const nodeHttpPoster: JsonPoster = {
  postJson: (url, body, { headers, timeoutMs }) =>
    new Promise((resolve, reject) => {
      const req = request(url, { method: "POST", headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8"), headers: { "retry-after": res.headers["retry-after"] } }));
      });
      const timer = setTimeout(() => {
        req.destroy();
        reject(Object.assign(new Error("timed out"), { name: "TimeoutError" }));
      }, timeoutMs);
      req.on("close", () => clearTimeout(timer));
      req.on("error", (err) => reject(err));
      req.end(JSON.stringify(body));
    }),
};

type Reply = { status: number; body: string; headers?: Record<string, string> } | "hang";
interface Received {
  url: string;
  headers: IncomingHttpHeaders;
  body: { model: string; messages: { role: string; content: string }[]; response_format: unknown };
}

/** A fake server speaking the chat-completions protocol on loopback, answering from a script. */
let server: Server;
let baseUrl: string;
let received: Received[] = [];
let script: (index: number) => Reply = () => ({ status: 500, body: "no script" });
const hanging = new Set<ServerResponse>();

const completion = (content: string): Reply => ({
  status: 200,
  body: JSON.stringify({ id: "chatcmpl-1", object: "chat.completion", model: "test-model", choices: [{ index: 0, message: { role: "assistant", content }, finish_reason: "stop" }] }),
});

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      received.push({ url: req.url ?? "", headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString("utf8")) });
      const reply = script(received.length - 1);
      if (reply === "hang") {
        hanging.add(res);
        return;
      }
      res.writeHead(reply.status, { "content-type": "application/json", ...reply.headers });
      res.end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/`;
});

afterAll(async () => {
  for (const res of hanging) res.destroy();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  received = [];
});

const SECRET_KEY = "sk-test-do-not-leak-1234567890";
const provider = (overrides: { timeoutMs?: number; maxAttempts?: number } = {}) =>
  createOpenAiCompatibleProvider({ baseUrl, apiKey: SECRET_KEY, model: "test-model", retryBaseDelayMs: 10, ...overrides }, nodeHttpPoster);

async function failure(promise: Promise<unknown>): Promise<AiProviderError> {
  const err = await promise.then(() => null, (e: unknown) => e);
  expect(err).toBeInstanceOf(AiProviderError);
  expect((err as Error).message).not.toContain(SECRET_KEY);
  return err as AiProviderError;
}

describe("OpenAI-compatible client against a fake chat-completions server", () => {
  it("classifies: JSON mode request, output validated", async () => {
    script = () => completion(JSON.stringify({ intent: "purchase_intent", sentiment: "neutral", language: "pt", confidence: 0.92 }));
    await expect(provider().classify({ text: "quanto custa?" })).resolves.toEqual({ intent: "purchase_intent", sentiment: "neutral", language: "pt", confidence: 0.92 });
    expect(received).toHaveLength(1);
    const [call] = received;
    expect(call!.url).toBe("/v1/chat/completions");
    expect(call!.headers.authorization).toBe(`Bearer ${SECRET_KEY}`);
    expect(call!.body.model).toBe("test-model");
    expect(call!.body.response_format).toEqual({ type: "json_object" });
    expect(call!.body.messages.map((m) => m.role)).toEqual(["system", "user"]);
    expect(call!.body.messages[1]!.content).toBe("quanto custa?");
  });

  it("refuses output that is not JSON, without retrying", async () => {
    script = () => completion("Sure! The intent is purchase_intent.");
    const err = await failure(provider().classify({ text: "quanto custa?" }));
    expect([err.kind, err.attempts, received.length]).toEqual(["invalid_json", 1, 1]);
  });

  it("refuses JSON of the wrong shape", async () => {
    script = () => completion(JSON.stringify({ intent: "buy", sentiment: "neutral", language: "pt", confidence: 2 }));
    const err = await failure(provider().classify({ text: "quanto custa?" }));
    expect(err.kind).toBe("invalid_shape");
    expect(err.message).toContain("intent");
    expect(err.message).toContain("confidence");
  });

  it("refuses an answer that is not a chat completion", async () => {
    script = () => ({ status: 200, body: JSON.stringify({ result: "ok" }) });
    expect((await failure(provider().classify({ text: "x" }))).kind).toBe("invalid_shape");
  });

  it("times out, retries, and gives up after the last attempt", async () => {
    script = () => "hang";
    const err = await failure(provider({ timeoutMs: 300, maxAttempts: 2 }).classify({ text: "x" }));
    expect([err.kind, err.attempts, received.length]).toEqual(["timeout", 2, 2]);
  });

  it("retries a 429 and succeeds", async () => {
    script = (i) => (i === 0 ? { status: 429, body: '{"error":"slow down"}', headers: { "retry-after": "0" } } : completion(JSON.stringify({ intent: "question", sentiment: "neutral", language: "en", confidence: 0.7 })));
    await expect(provider().classify({ text: "do you ship?" })).resolves.toMatchObject({ intent: "question" });
    expect(received).toHaveLength(2);
  });

  it("retries 5xx until the attempts run out", async () => {
    script = () => ({ status: 503, body: "unavailable" });
    const err = await failure(provider({ maxAttempts: 3 }).classify({ text: "x" }));
    expect([err.kind, err.status, err.attempts, received.length]).toEqual(["http_status", 503, 3, 3]);
  });

  it("does not retry other 4xx, and does not echo the key", async () => {
    script = () => ({ status: 401, body: JSON.stringify({ error: { message: `Incorrect API key provided: ${SECRET_KEY}` } }) });
    const err = await failure(provider().classify({ text: "x" }));
    expect([err.kind, err.status, received.length]).toEqual(["http_status", 401, 1]);
  });

  it("reports an unreachable provider as a transport error, without retrying", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const unreachable = createOpenAiCompatibleProvider({ baseUrl: `http://127.0.0.1:${port}/v1`, apiKey: SECRET_KEY, model: "m", retryBaseDelayMs: 10 }, nodeHttpPoster);
    const err = await failure(unreachable.classify({ text: "x" }));
    expect([err.kind, err.attempts]).toEqual(["transport", 1]);
  });
});

describe("flow from text through the model", () => {
  const directory = { entries: [{ name: "Vendas", aliases: ["sales"], user_ids: [IDS.agent, IDS.otherAgent] }] };
  const flow = (userId: string) => ({
    version: 1,
    trigger: { kind: "event", type: "message.ingested" },
    conditions: { all: [{ path: "message.body", op: "contains", value: "price" }] },
    steps: [{ actions: [{ type: "assign_agent", params: { user_id: userId } }, { type: "create_task", params: { title: "Follow up", due_in: "1d" } }] }],
  });

  it("accepts a flow that compiles and names only known users; the prompt lists them", async () => {
    script = () => completion(JSON.stringify({ flow: flow(IDS.agent), understood: ["assign to sales", "task tomorrow"] }));
    const result = await provider().flowFromText({ text: "when a message mentions price assign to sales and create a task for tomorrow", directory });
    expect(result).toMatchObject({ ok: true, definition: flow(IDS.agent), understood: ["assign to sales", "task tomorrow"] });
    expect(result.ok && result.flow.steps[0]!.actions[1]).toEqual({ type: "create_task", params: { title: "Follow up", description: null, due_in_seconds: 86_400, assignee: "conversation_assignee" } });
    expect(received[0]!.body.messages[0]!.content).toContain(`- Vendas (also: sales): ["${IDS.agent}","${IDS.otherAgent}"]`);
  });

  it("refuses a flow naming a user outside the directory", async () => {
    script = () => completion(JSON.stringify({ flow: flow(IDS.destination) }));
    const result = await provider().flowFromText({ text: "when a message mentions price assign to Zed", directory });
    expect(result).toMatchObject({ ok: false, errors: [{ path: "steps[0].actions[0].params.user_id", message: `user ${IDS.destination} is not in this workspace's directory` }] });
  });

  it("refuses a flow that does not compile, with the paths", async () => {
    script = () => completion(JSON.stringify({ flow: { ...flow(IDS.agent), version: 2 } }));
    const result = await provider().flowFromText({ text: "do something", directory });
    expect(result).toMatchObject({ ok: false, message: "The model answered with an invalid flow.", errors: [{ path: "version" }] });
  });

  it("passes on the model's own 'not understood'", async () => {
    script = () => completion(JSON.stringify({ not_understood: "Which channel do you mean?", understood: ["a new message"] }));
    await expect(provider().flowFromText({ text: "when something happens", directory })).resolves.toEqual({ ok: false, understood: ["a new message"], not_understood: ["Which channel do you mean?"], message: "Which channel do you mean?", errors: [] });
  });

  it("refuses an instruction that is too long without calling the model", async () => {
    const result = await provider().flowFromText({ text: "x".repeat(1001), directory });
    expect(result.ok).toBe(false);
    expect(received).toHaveLength(0);
  });
});
