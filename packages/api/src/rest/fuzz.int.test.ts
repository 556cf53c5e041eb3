import { randomUUID } from "node:crypto";
import { deepJsonText, fuzzParameters, HOSTILE_INSTANTS, hostileJson, hostileString, unstorableString } from "@alfred/core/testing";
import { normalizeText } from "@alfred/core";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accessTokenFor, createApiHarness, rest, seedConversation, seedTenant, type ApiHarness, type RestResult, type TenantFixture } from "../testing/harness";
import { OpenApiContract } from "../testing/openapi-contract";
import { openApiDocument } from "./openapi";
import { matchRoute, restRoutes } from "./routes";

/**
 * Every REST operation of the OpenAPI document, called through the real adapter with hostile path,
 * query and body values: NUL, lone surrogates, RTL and zero-width text, dates Postgres cannot hold,
 * deep JSON, bad cursors and broken percent-escapes. Whatever comes in: never a 5xx, a JSON error
 * envelope on every 4xx with no stack trace or SQL in it, every answer one the document lists for
 * the operation (status, headers, body schema), and a refused write leaves every table as it was. Fixed seed under CI; `FUZZ_RUNS=5000` for a longer hunt.
 */

type JsonSchema = {
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  items?: JsonSchema;
  properties?: Record<string, JsonSchema>;
  additionalProperties?: unknown;
};
interface Operation {
  method: string;
  template: string;
  pathParams: string[];
  query: Record<string, JsonSchema>;
  body: Record<string, JsonSchema> | null;
}

const contract = new OpenApiContract(openApiDocument() as unknown as Record<string, unknown>);
const isRestRoute = (method: string, template: string) => restRoutes.some((r) => r.method === method && r.template === template);

/**
 * Whether the adapter serves `path` with this operation: an empty or slash-bearing id makes it
 * another path (`DELETE /destinations/` is the collection's 405). A parameter that fails to decode
 * is this operation's 400.
 */
function servedBy(op: { method: string; template: string }, path: string): boolean {
  try {
    const matched = matchRoute(op.method, path.split("?")[0]!);
    return matched !== null && "route" in matched && matched.route.template === op.template;
  } catch {
    return true;
  }
}

/** The REST operations (callbacks and webhooks are signed, not called with a token: see contract.int.test.ts). */
function operations(): Operation[] {
  const result: Operation[] = [];
  for (const [template, item] of Object.entries(openApiDocument().paths ?? {})) {
    for (const [method, raw] of Object.entries(item as Record<string, unknown>)) {
      if (!isRestRoute(method.toUpperCase(), template)) continue;
      const op = raw as { parameters?: { in: string; name: string; schema: JsonSchema }[]; requestBody?: { content: Record<string, { schema: JsonSchema }> } };
      const parameters = op.parameters ?? [];
      result.push({
        method: method.toUpperCase(),
        template,
        pathParams: parameters.filter((p) => p.in === "path").map((p) => p.name),
        query: Object.fromEntries(parameters.filter((p) => p.in === "query").map((p) => [p.name, p.schema])),
        body: op.requestBody?.content["application/json"]?.schema.properties ?? null,
      });
    }
  }
  return result;
}

let h: ApiHarness;
let t: TenantFixture;
let token: string;
/** Real ids by the first path segments that name them, so hostile bodies reach the handlers. */
const realIds = new Map<string, string[]>();

/**
 * Stands for 5,000 levels of `{"a":...}`, spliced into the body text only when sending: the JSON
 * printers of the test itself (fast-check's, JSON.stringify in vitest's worker) would overflow.
 */
const DEEP_OBJECT = "<JSON nested 5,000 deep>";
const bodyText = (body: unknown) => JSON.stringify(body)?.replaceAll(JSON.stringify(DEEP_OBJECT), deepJsonText(5_000));
/** Feb 31 (issue #16), year 0, not base64url, SQL. */
const HOSTILE_CURSORS = ["MjAyNC0wMi0zMVQwMDowMDowMFp8MDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAw", "MDAwMC0wMS0wMVQwMDowMDowMFp8MDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAw", "%%%", "' or 1=1 --"];
const BROKEN_PATH_SEGMENTS = ["%E0%A4%A", "%", "%00", "%ZZ", "%C0%AF", "..%2F..%2Fetc", "%2E%2E", `${randomUUID()}%00`, "x".repeat(5_000)];

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  hostileString(80),
  unstorableString(),
  fc.constantFrom<unknown>(...HOSTILE_INSTANTS, ...HOSTILE_CURSORS, DEEP_OBJECT, "", " ", "x".repeat(70_000), -1, 0, 2 ** 53, 1e308, [], {}, true, null),
  hostileJson(3),
);

const validInstant = fc.date({ min: new Date("1971-01-01T00:00:00Z"), max: new Date("9998-12-31T00:00:00Z"), noInvalidDate: true }).map((d) => d.toISOString());

/** A value the schema would accept most of the time, so requests get past validation to the handler. */
function plausible(schema: JsonSchema, name: string, template: string): fc.Arbitrary<unknown> {
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map((s) => plausible(s, name, template)));
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  if (schema.format === "uuid") return fc.constantFrom(...(realIds.get(resourceOf(template, name)) ?? []), randomUUID());
  if (schema.format === "date-time") return fc.oneof(validInstant, fc.constantFrom(...HOSTILE_INSTANTS));
  if (schema.format === "email") return fc.oneof(fc.emailAddress(), hostileString(20).map((s) => `${s}@example.test`));
  if (name === "cursor") return fc.constant(undefined); // a bad cursor is one of the hostile values
  switch (type) {
    case "integer":
    case "number":
      return fc.integer({ min: 1, max: 100 });
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    case "array":
      return fc.array(plausible(schema.items ?? {}, name, template), { minLength: 1, maxLength: 3 });
    case "object":
      return schema.properties ? objectOf(schema.properties, template) : fc.oneof(hostileJson(3).filter((v) => typeof v === "object" && v !== null), fc.constant(DEEP_OBJECT));
    default:
      // Storable but unfriendly text (RTL, zero-width, quotes, emoji); the unstorable kind is hostileValue's.
      return hostileString(40).map(normalizeText).filter((s) => s.trim().length > 0);
  }
}

function objectOf(properties: Record<string, JsonSchema>, template: string): fc.Arbitrary<Record<string, unknown>> {
  const fields = Object.fromEntries(Object.entries(properties).map(([name, schema]) => [name, plausible(schema, name, template)]));
  return fc.record(fields, { requiredKeys: [] });
}

/**
 * Plausible fields with, most of the time, one of them (or one unknown field) made hostile: one
 * bad value per request reaches further into the handler than many.
 */
function hostileObjectOf(properties: Record<string, JsonSchema>, template: string): fc.Arbitrary<Record<string, unknown>> {
  const names = [...Object.keys(properties), "unexpected"];
  return fc.tuple(objectOf(properties, template), fc.option(fc.tuple(fc.constantFrom(...names), hostileValue), { freq: 4 })).map(([object, bad]) => (bad ? { ...object, [bad[0]]: bad[1] } : object));
}

/** `/automations/destinations/{id}/test` -> `automations/destinations`; a body field `conversation_id` -> `conversations`. */
function resourceOf(template: string, name: string): string {
  if (name !== "id") return `${name.replace(/_id$/, "")}s`.replace(/^(destination|delivery|event)s$/, (_m, r: string) => `automations/${r === "delivery" ? "deliveries" : `${r}s`}`);
  return template.split("/{")[0]!.slice(1);
}

function pathValue(op: Operation, name: string): fc.Arbitrary<string> {
  // Deleting the shared fixtures would turn the rest of the run into 404s.
  const ids = op.method === "DELETE" ? [randomUUID()] : (realIds.get(resourceOf(op.template, name)) ?? [randomUUID()]);
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...ids) },
    { weight: 1, arbitrary: fc.constantFrom(...BROKEN_PATH_SEGMENTS) },
    { weight: 1, arbitrary: hostileString(20).map((s) => encodeURIComponent(wellFormed(s))) },
  );
}

const requestFor = (op: Operation) =>
  fc.record({
    path: fc.tuple(...op.pathParams.map((name) => pathValue(op, name))).map((values) => op.pathParams.reduce((path, name, i) => path.replace(`{${name}}`, values[i]!), op.template)),
    query: hostileObjectOf(op.query, op.template),
    body: op.body ? fc.oneof({ weight: 4, arbitrary: hostileObjectOf(op.body, op.template) }, { weight: 1, arbitrary: hostileJson(2) }) : fc.constant(undefined),
  });

/** What a URL can carry: UTF-8 has no lone surrogates (`\p{Cs}` matches only unpaired ones under /u). */
const wellFormed = (text: string) => text.replace(/\p{Cs}/gu, "\uFFFD");

/** Query strings cannot carry lone surrogates (UTF-8); NUL and broken escapes they can. */
function queryString(query: Record<string, unknown>): string {
  const pairs = Object.entries(query)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(wellFormed(typeof v === "string" ? v : (JSON.stringify(v) ?? "")))}`);
  return pairs.length ? `?${pairs.join("&")}` : "";
}

/** Rows in every table: a refused write must leave this unchanged. */
async function rowCounts(): Promise<Record<string, number>> {
  const { rows } = await h.database.pool.query<{ name: string; n: number }>(
    `select table_name as name, (xpath('/row/n/text()', query_to_xml(format('select count(*) as n from %I', table_name), false, true, '')))[1]::text::int as n
       from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' and table_name not like '\\_\\_%'`,
  );
  return Object.fromEntries(rows.map((r) => [r.name, r.n]));
}

const LEAKS = /\bat .+:\d+:\d+|node_modules|\bselect\b.+\bfrom\b|insert into|violates|syntax error|drizzle|postgres|stack/i;

function expectSafeAnswer(op: { method: string; template: string; path: string }, res: RestResult, label: string): void {
  expect(res.status, `${label} answered ${res.status}: ${JSON.stringify(res.body)}`).toBeLessThan(500);
  if (servedBy(op, op.path)) {
    expect(contract.problems(op.method, op.template, { status: res.status, headers: res.headers, body: res.body === null ? "" : JSON.stringify(res.body) }), label).toEqual([]);
  }
  if (res.status >= 400) {
    expect(res.body, label).toEqual({ error: expect.objectContaining({ code: expect.any(String), message: expect.any(String), correlation_id: expect.any(String) }) });
    expect(JSON.stringify(res.body), label).not.toMatch(LEAKS);
  }
}

beforeAll(async () => {
  h = await createApiHarness();
  t = await seedTenant(h.deps, "Fuzz Co");
  token = await accessTokenFor(h.deps, t.admin);
  const seeded = await seedConversation(h.deps, t.admin.tenantId, "5550100");
  const destination = await rest(h.deps, "POST", "/automations/destinations", { token, body: { name: "Sink", url: "https://127.0.0.1:9/hook", event_types: ["task.created"] } });
  const sent = await rest(h.deps, "POST", `/automations/destinations/${destination.body.id}/test`, { token });
  const task = await rest(h.deps, "POST", "/tasks", { token, body: { title: "Call back", conversation_id: seeded.conversationId } });
  const apiKey = await rest(h.deps, "POST", "/api-keys", { token, body: { name: "fuzz" } });
  const ruleDefinition = { version: 1, trigger: { kind: "event", type: "task.created" }, actions: [{ type: "notify_users", params: { to: { role: "admin" }, title: "New task" } }] };
  const rule = await rest(h.deps, "POST", "/rules", { token, body: { name: "Fuzz rule", definition: ruleDefinition } });
  const flow = await rest(h.deps, "POST", "/flows", { token, body: { name: "Fuzz flow", definition: { version: 1, trigger: ruleDefinition.trigger, steps: [{ actions: ruleDefinition.actions }] } } });
  // Not the admin whose token drives the run: demoting it would turn the rest into 403s.
  realIds.set("users", [t.agent.userId, t.manager.userId]);
  realIds.set("channels", [seeded.channelId]);
  realIds.set("conversations", [seeded.conversationId]);
  realIds.set("contacts", [seeded.contactId]);
  realIds.set("tasks", [task.body.id]);
  realIds.set("api-keys", [apiKey.body.id]);
  realIds.set("automations/destinations", [destination.body.id]);
  realIds.set("automations/deliveries", [sent.body.delivery_id]);
  // The test send's event, and the task's (rules and flows are simulated on it).
  const [taskEvent] = (await h.database.pool.query<{ id: string }>(`select id from automation_events where source_event_id = $1`, [`task.created:${task.body.id}`])).rows;
  realIds.set("automations/events", [sent.body.event_id, taskEvent!.id]);
  realIds.set("rules", [rule.body.id]);
  realIds.set("flows", [flow.body.id]);
  realIds.set("assignees", [t.agent.userId]);
  realIds.set("actors", [t.admin.userId]);
});
afterAll(() => h.close());

describe("every REST operation under hostile input", () => {
  const all = operations();

  it("covers the whole OpenAPI document", () => {
    expect(all.length).toBeGreaterThanOrEqual(50);
    expect(all.map((op) => `${op.method} ${op.template}`)).toEqual(expect.arrayContaining(["POST /auth/login", "POST /auth/register", "PATCH /contacts/{id}", "GET /audit-logs"]));
  });

  const reachedHandler = new Set<string>();

  it("never answers 5xx, always a clean error envelope, and a refused write changes nothing", async () => {
    const calls = fc.oneof(...all.map((op) => requestFor(op).map((request) => ({ method: op.method, template: op.template, ...request }))));
    await fc.assert(
      fc.asyncProperty(calls, async ({ method, template, path, query, body }) => {
        const op = { method, template };
        const label = `${op.method} ${path}${queryString(query)} ${JSON.stringify(body)?.slice(0, 300)}`;
        const before = op.method === "GET" ? null : await rowCounts();
        const rawBody = bodyText(body);
        const res = await rest(h.deps, op.method, `${path}${queryString(query)}`, { token, rawBody, headers: rawBody === undefined ? {} : { "content-type": "application/json" } });
        expectSafeAnswer({ ...op, path }, res, label);
        if (res.status < 300) reachedHandler.add(`${op.method} ${op.template}`);
        if (before && res.status >= 400) expect(await rowCounts(), label).toEqual(before);
      }),
      fuzzParameters(700),
    );
    // The generated input is not all refused at the door: most operations succeeded with some of it.
    expect(reachedHandler.size, [...reachedHandler].join(", ")).toBeGreaterThanOrEqual(all.length / 2);
  }, 240_000);
});
