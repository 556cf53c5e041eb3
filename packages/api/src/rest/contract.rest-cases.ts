import { randomBytes, randomUUID } from "node:crypto";
import { LOGIN_MAX_FAILURES, passwordWork } from "@alfred/auth";
import type { Answer } from "../testing/openapi-contract";

/**
 * How to make each REST operation succeed, and the errors the generic rules of the contract test
 * (contract.int.test.ts) cannot provoke by themselves: conflicts, throttles, ids named in a body.
 * A new operation that needs more than a plain GET gets an entry here, or the contract test fails
 * saying so.
 */

export interface Call {
  path: string;
  body?: unknown;
  /** Who calls: a token, or null for no Authorization header. The admin's token by default. */
  token?: string | null;
  headers?: Record<string, string>;
}

export interface Fixtures {
  tokens: { admin: string; manager: string; agent: string; refresh: string };
  adminId: string;
  adminEmail: string;
  agentEmail: string;
  agentId: string;
  /** A user for role changes, deactivation and reactivation. */
  spareUserId: string;
  password: string;
  phone: string;
  channelId: string;
  conversationId: string;
  /** The seeded customer message, with one stored attachment. */
  messageId: string;
  attachmentId: string;
  contactId: string;
  destinationId: string;
  destinationSecret: string;
  deliveryId: string;
  /** An event of a type no longer in the catalog: it cannot be replayed. */
  retiredEventId: string;
  /** A `task.created` event. */
  catalogEventId: string;
  taskId: string;
  notificationId: string;
  callbackEventId: string;
  parkedReceiptId: string;
  apiChannelId: string;
}

export interface CaseContext {
  fx: Fixtures;
  send(method: string, call: Call): Promise<Answer>;
  /** Answers with a JSON body, parsed (for setting up what a case needs). */
  sendJson(method: string, call: Call): Promise<{ status: number; body: Record<string, any> }>; // eslint-disable-line @typescript-eslint/no-explicit-any -- fixtures read ids freely
}

export interface RestCase {
  /** A request the operation answers with its success status. */
  success(ctx: CaseContext): Promise<Call>;
  /** Requests (or finished answers, for floods) that provoke the given error status. */
  errors?: Partial<Record<number, (ctx: CaseContext) => Promise<Call | Answer>>>;
}

const unique = () => randomBytes(5).toString("hex");
/** Documentation addresses: each case its own, so throttles of one case never reach another. */
const fromAddress = (ip = `198.51.100.${1 + (randomBytes(1)[0]! % 250)}`) => ({ "x-forwarded-for": ip });

const registration = () => ({ email: `founder-${unique()}@example.test`, password: "correct horse battery", name: "Fay Founder", tenant_name: `Contract ${unique()}` });

/**
 * A sign-in while every slot and waiting place of the process's password-hashing queue is taken
 * (as by a flood from many addresses): here by work that waits until the answer is in.
 */
async function hashingQueueFull(ctx: CaseContext, call: Call): Promise<Answer> {
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const occupants = Array.from({ length: 200 }, (_, i) => passwordWork.run(`occupant-${i}`, () => held).catch(() => undefined));
  try {
    return await ctx.send("POST", call);
  } finally {
    release();
    await Promise.all(occupants);
  }
}

async function newDestination(ctx: CaseContext): Promise<string> {
  const created = await ctx.sendJson("POST", { path: "/automations/destinations", body: { name: `Flow ${unique()}`, url: "https://127.0.0.1:9/hook", event_types: ["task.created"] } });
  return created.body.id;
}

const ruleDefinition = (fx: Fixtures) => ({
  version: 1,
  trigger: { kind: "event", type: "task.created" },
  conditions: { all: [{ path: "event.title", op: "contains", value: "call" }] },
  actions: [{ type: "notify_users", params: { to: { user_ids: [fx.agentId] }, title: "New call task: {{event.title}}" } }],
});
const flowDefinition = () => ({ version: 1, trigger: { kind: "event", type: "task.created" }, steps: [{ wait: "1h", actions: [{ type: "notify_users", params: { to: { role: "admin" }, title: "A task is an hour old" } }] }] });
const newRule = async (ctx: CaseContext): Promise<string> => (await ctx.sendJson("POST", { path: "/rules", body: { name: `Rule ${unique()}`, definition: ruleDefinition(ctx.fx) } })).body.id;
const newFlow = async (ctx: CaseContext): Promise<string> => (await ctx.sendJson("POST", { path: "/flows", body: { name: `Flow ${unique()}`, definition: flowDefinition() } })).body.id;

const whatsappConfig = (phone: string) => ({ phone_number_id: phone, access_token: "token", app_secret: "app-secret", verify_token: "verify" });

export const REST_CASES: Record<string, RestCase> = {
  "POST /auth/register": {
    success: async () => ({ path: "/auth/register", token: null, body: registration(), headers: fromAddress() }),
    errors: {
      409: async ({ fx }) => ({ path: "/auth/register", token: null, body: { ...registration(), email: fx.adminEmail }, headers: fromAddress() }),
      429: async (ctx) => {
        const headers = fromAddress();
        let answer: Answer;
        do answer = await ctx.send("POST", { path: "/auth/register", token: null, body: registration(), headers });
        while (answer.status === 201);
        return answer;
      },
      503: (ctx) => hashingQueueFull(ctx, { path: "/auth/register", token: null, body: registration(), headers: fromAddress() }),
    },
  },
  "POST /auth/login": {
    success: async ({ fx }) => ({ path: "/auth/login", token: null, body: { email: fx.agentEmail, password: fx.password }, headers: fromAddress() }),
    errors: {
      429: async (ctx) => {
        const email = `locked-${unique()}@example.test`;
        for (let i = 0; i < LOGIN_MAX_FAILURES; i++) await ctx.send("POST", { path: "/auth/login", token: null, body: { email, password: `wrong-${i}` }, headers: fromAddress() });
        return { path: "/auth/login", token: null, body: { email, password: "wrong again" }, headers: fromAddress() };
      },
      503: (ctx) => hashingQueueFull(ctx, { path: "/auth/login", token: null, body: { email: ctx.fx.agentEmail, password: ctx.fx.password }, headers: fromAddress() }),
    },
  },
  "POST /auth/refresh": { success: async ({ fx }) => ({ path: "/auth/refresh", token: null, body: { refresh_token: fx.tokens.refresh } }) },

  "POST /users": {
    success: async () => ({ path: "/users", body: { email: `new-${unique()}@example.test`, name: "Nia New", role: "agent", password: "correct horse battery" } }),
    errors: { 409: async ({ fx }) => ({ path: "/users", body: { email: fx.agentEmail, name: "Twin", role: "agent", password: "correct horse battery" } }) },
  },
  "GET /users/{id}": { success: async ({ fx }) => ({ path: `/users/${fx.agentId}` }) },
  "PATCH /users/{id}/role": {
    success: async ({ fx }) => ({ path: `/users/${fx.spareUserId}/role`, body: { role: "manager" } }),
    // The only admin cannot be demoted.
    errors: { 409: async ({ fx }) => ({ path: `/users/${fx.adminId}/role`, body: { role: "agent" } }) },
  },
  "POST /users/{id}/deactivate": {
    success: async ({ fx }) => ({ path: `/users/${fx.spareUserId}/deactivate` }),
    errors: { 409: async ({ fx }) => ({ path: `/users/${fx.adminId}/deactivate` }) },
  },
  "POST /users/{id}/reactivate": { success: async ({ fx }) => ({ path: `/users/${fx.spareUserId}/reactivate` }) },

  "POST /automations/destinations": { success: async () => ({ path: "/automations/destinations", body: { name: "Flows", url: "https://127.0.0.1:9/hook", event_types: ["message.ingested"] } }) },
  "GET /automations/destinations/{id}": { success: async ({ fx }) => ({ path: `/automations/destinations/${fx.destinationId}` }) },
  "PATCH /automations/destinations/{id}": { success: async ({ fx }) => ({ path: `/automations/destinations/${fx.destinationId}`, body: { name: `Renamed ${unique()}` } }) },
  "DELETE /automations/destinations/{id}": { success: async (ctx) => ({ path: `/automations/destinations/${await newDestination(ctx)}` }) },
  "POST /automations/destinations/{id}/rotate-secret": { success: async (ctx) => ({ path: `/automations/destinations/${await newDestination(ctx)}/rotate-secret` }) },
  "POST /automations/destinations/{id}/confirm-new-secret": {
    success: async (ctx) => {
      const id = await newDestination(ctx);
      await ctx.sendJson("POST", { path: `/automations/destinations/${id}/rotate-secret` });
      return { path: `/automations/destinations/${id}/confirm-new-secret` };
    },
    errors: { 409: async (ctx) => ({ path: `/automations/destinations/${await newDestination(ctx)}/confirm-new-secret` }) },
  },
  "PUT /automations/destinations/{id}/credential": {
    success: async ({ fx }) => ({ path: `/automations/destinations/${fx.destinationId}/credential`, body: { credential: { kind: "header", header_name: "X-Flow-Token" } } }),
  },
  "DELETE /automations/destinations/{id}/credential": { success: async ({ fx }) => ({ path: `/automations/destinations/${fx.destinationId}/credential` }) },
  "GET /automations/destinations/{id}/health": { success: async ({ fx }) => ({ path: `/automations/destinations/${fx.destinationId}/health?window=7d` }) },
  "POST /automations/destinations/{id}/test": { success: async ({ fx }) => ({ path: `/automations/destinations/${fx.destinationId}/test` }) },
  "GET /automations/event-types/{type}/sample": {
    success: async () => ({ path: "/automations/event-types/task.created/sample" }),
    errors: {
      404: async () => ({ path: "/automations/event-types/task.nonexistent/sample" }),
      422: async () => ({ path: `/automations/event-types/${"x".repeat(65)}/sample` }),
    },
  },
  "GET /automations/deliveries/{id}": { success: async ({ fx }) => ({ path: `/automations/deliveries/${fx.deliveryId}` }) },
  "POST /automations/deliveries/{id}/retry": {
    success: async ({ fx }) => ({ path: `/automations/deliveries/${fx.deliveryId}/retry` }),
    errors: {
      409: async (ctx) => {
        const destinationId = await newDestination(ctx);
        const sent = await ctx.sendJson("POST", { path: `/automations/destinations/${destinationId}/test` });
        await ctx.send("PATCH", { path: `/automations/destinations/${destinationId}`, body: { enabled: false } });
        return { path: `/automations/deliveries/${sent.body.delivery_id}/retry` };
      },
    },
  },
  "POST /automations/deliveries/bulk-retry": { success: async () => ({ path: "/automations/deliveries/bulk-retry", body: { status: "failed" } }) },
  "POST /automations/deliveries/cancel": { success: async ({ fx }) => ({ path: "/automations/deliveries/cancel", body: { destination_id: fx.destinationId } }) },
  "POST /automations/events/{id}/replay": {
    success: async ({ fx }) => ({ path: `/automations/events/${fx.catalogEventId}/replay` }),
    errors: { 409: async ({ fx }) => ({ path: `/automations/events/${fx.retiredEventId}/replay` }) },
  },
  "GET /automations/timeline": {
    success: async ({ fx }) => ({ path: `/automations/timeline?event_id=${fx.catalogEventId}` }),
    errors: { 404: async () => ({ path: `/automations/timeline?event_id=${randomUUID()}` }) },
  },
  "GET /automations/deliveries/counts": {
    success: async ({ fx }) => ({ path: `/automations/deliveries/counts?destination_id=${fx.destinationId}` }),
    errors: { 404: async () => ({ path: `/automations/deliveries/counts?destination_id=${randomUUID()}` }) },
  },
  "GET /automations/callbacks/{id}": { success: async ({ fx }) => ({ path: `/automations/callbacks/${fx.callbackEventId}` }) },

  "POST /api-keys": { success: async () => ({ path: "/api-keys", body: { name: `Key ${unique()}`, role: "agent" } }) },
  "DELETE /api-keys/{id}": {
    success: async (ctx) => ({ path: `/api-keys/${(await ctx.sendJson("POST", { path: "/api-keys", body: { name: `Key ${unique()}` } })).body.id}` }),
  },

  "POST /channels": {
    success: async () => ({ path: "/channels", body: { type: "api", name: `API ${unique()}`, config: { secret: "api-channel-secret-0123456789" } } }),
    // A WhatsApp number is connected to one workspace only.
    errors: { 409: async ({ fx }) => ({ path: "/channels", body: { type: "whatsapp", name: "Twin", config: whatsappConfig(fx.phone) } }) },
  },
  "GET /channels/{id}": { success: async ({ fx }) => ({ path: `/channels/${fx.channelId}` }) },
  "PATCH /channels/{id}": {
    success: async ({ fx }) => ({ path: `/channels/${fx.channelId}`, body: { name: `WhatsApp ${unique()}` } }),
    errors: {
      409: async (ctx) => {
        const other = await ctx.sendJson("POST", { path: "/channels", body: { type: "whatsapp", name: "Second number", config: whatsappConfig(`1555${Date.now()}`) } });
        return { path: `/channels/${other.body.id}`, body: { config: whatsappConfig(ctx.fx.phone) } };
      },
    },
  },
  "DELETE /channels/{id}": {
    success: async (ctx) => ({ path: `/channels/${(await ctx.sendJson("POST", { path: "/channels", body: { type: "api", name: `Gone ${unique()}`, config: { secret: "api-channel-secret-0123456789" } } })).body.id}` }),
  },

  "GET /conversations/{id}": { success: async ({ fx }) => ({ path: `/conversations/${fx.conversationId}` }) },
  "PATCH /conversations/{id}": { success: async ({ fx }) => ({ path: `/conversations/${fx.conversationId}`, body: { status: "pending" } }) },
  "POST /conversations/{id}/read": { success: async ({ fx }) => ({ path: `/conversations/${fx.conversationId}/read` }) },
  "GET /messages/{id}/attachments": { success: async ({ fx }) => ({ path: `/messages/${fx.messageId}/attachments` }) },
  "GET /conversations/{id}/messages": { success: async ({ fx }) => ({ path: `/conversations/${fx.conversationId}/messages?limit=10` }) },
  "POST /conversations/{id}/messages": { success: async ({ fx }) => ({ path: `/conversations/${fx.conversationId}/messages`, body: { body: "We are on it." } }) },
  "POST /conversations/{id}/comments": { success: async ({ fx }) => ({ path: `/conversations/${fx.conversationId}/comments`, body: { body: "Customer is a VIP." } }) },

  "GET /contacts/{id}": { success: async ({ fx }) => ({ path: `/contacts/${fx.contactId}` }) },
  "PATCH /contacts/{id}": { success: async ({ fx }) => ({ path: `/contacts/${fx.contactId}`, body: { lead_score: 40 } }) },
  "PATCH /settings": { success: async () => ({ path: "/settings", body: { lead_stall_days: 10 } }) },
  "GET /contacts/{id}/conversations": { success: async ({ fx }) => ({ path: `/contacts/${fx.contactId}/conversations` }) },

  "POST /tasks": {
    success: async ({ fx }) => ({ path: "/tasks", body: { title: "Call back", conversation_id: fx.conversationId } }),
    errors: { 404: async () => ({ path: "/tasks", body: { title: "Call back", conversation_id: randomUUID() } }) },
  },
  "PATCH /tasks/{id}": { success: async ({ fx }) => ({ path: `/tasks/${fx.taskId}`, body: { status: "done" } }) },
  "POST /notifications/{id}/read": { success: async ({ fx }) => ({ path: `/notifications/${fx.notificationId}/read` }) },

  "POST /rules": { success: async ({ fx }) => ({ path: "/rules", body: { name: "Call tasks", definition: ruleDefinition(fx) } }) },
  "GET /rules/{id}": { success: async (ctx) => ({ path: `/rules/${await newRule(ctx)}` }) },
  "PATCH /rules/{id}": { success: async (ctx) => ({ path: `/rules/${await newRule(ctx)}`, body: { enabled: false } }) },
  "DELETE /rules/{id}": { success: async (ctx) => ({ path: `/rules/${await newRule(ctx)}` }) },
  "POST /rules/validate": { success: async ({ fx }) => ({ path: "/rules/validate", body: { definition: ruleDefinition(fx) } }) },
  "POST /rules/{id}/simulate": {
    success: async (ctx) => ({ path: `/rules/${await newRule(ctx)}/simulate`, body: { event_id: ctx.fx.catalogEventId } }),
    errors: { 404: async (ctx) => ({ path: `/rules/${await newRule(ctx)}/simulate`, body: { event_id: randomUUID() } }) },
  },
  "POST /rules/simulate": { success: async ({ fx }) => ({ path: "/rules/simulate", body: { definition: ruleDefinition(fx), event_id: fx.catalogEventId } }) },
  "GET /rules/executions": { success: async () => ({ path: "/rules/executions?limit=5" }), errors: { 404: async () => ({ path: `/rules/executions?rule_id=${randomUUID()}` }) } },
  "POST /flows": { success: async () => ({ path: "/flows", body: { name: "Hour-old tasks", definition: flowDefinition() } }) },
  "GET /flows/{id}": { success: async (ctx) => ({ path: `/flows/${await newFlow(ctx)}` }) },
  "PATCH /flows/{id}": { success: async (ctx) => ({ path: `/flows/${await newFlow(ctx)}`, body: { enabled: true } }) },
  "DELETE /flows/{id}": { success: async (ctx) => ({ path: `/flows/${await newFlow(ctx)}` }) },
  "POST /flows/validate": { success: async () => ({ path: "/flows/validate", body: { definition: flowDefinition() } }) },
  "POST /flows/simulate": {
    success: async ({ fx }) => ({ path: "/flows/simulate", body: { definition: flowDefinition(), event_id: fx.catalogEventId } }),
    errors: { 404: async () => ({ path: "/flows/simulate", body: { definition: flowDefinition(), event_id: randomUUID() } }) },
  },
  "POST /flows/from-text": { success: async () => ({ path: "/flows/from-text", body: { text: "when a task is overdue, notify the managers and set the priority to high" } }) },

  "POST /operations/receipts/{id}/retry": {
    success: async ({ fx }) => ({ path: `/operations/receipts/${fx.parkedReceiptId}/retry` }),
    // Only a parked receipt can be retried: after one retry it waits again.
    errors: {
      409: async (ctx) => {
        await ctx.send("POST", { path: `/operations/receipts/${ctx.fx.parkedReceiptId}/retry` });
        return { path: `/operations/receipts/${ctx.fx.parkedReceiptId}/retry` };
      },
    },
  },
};
