import { errorBody } from "@alfred/core";
import { describe, expect, it } from "vitest";
import { OpenApiContract } from "../testing/openapi-contract";
import { appRouter } from "../root";
import { openApiDocument } from "./openapi";
import { matchRoute, restRoutes } from "./routes";

type Operation = { security?: unknown[]; responses: Record<string, { $ref?: string; content?: Record<string, unknown> }> };

describe("OpenAPI document and REST routes come from the same procedures", () => {
  const doc = openApiDocument();
  const paths = doc.paths as Record<string, Record<string, Operation>>;
  const operationOf = (route: (typeof restRoutes)[number]) => paths[route.template]?.[route.method.toLowerCase()];

  it("builds an OpenAPI 3.1 document with a license", () => {
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.info.license).toEqual({ name: "MIT", identifier: "MIT" });
    expect(Object.keys(doc.paths ?? {}).length).toBeGreaterThan(30);
  });

  it.each(restRoutes.map((r) => [`${r.method} ${r.template}`, r] as const))("%s is documented with the statuses the adapter answers", (_name, route) => {
    const operation = operationOf(route);
    expect(operation).toBeDefined();
    expect(operation!.security).toEqual(route.access === "public" ? [] : [{ bearerAuth: [] }, { apiKey: [] }]);
    expect(Object.keys(operation!.responses).map(Number)).toEqual([route.successStatus, ...route.errorStatuses].sort((a, b) => a - b));
    const success = operation!.responses[route.successStatus]!;
    if (route.successStatus === 204) expect(success.content).toBeUndefined();
    else expect(Object.keys(success.content ?? {})).toEqual(["application/json"]);
    for (const status of route.errorStatuses) expect(operation!.responses[status]!.$ref).toMatch(/^#\/components\/responses\/\w+$/);
  });

  it("derives errors from how a route is called: 401 and 422 always, 403 when role-gated, 404 for an id in the path, 413/415 for a body", () => {
    const byName = (method: string, template: string) => restRoutes.find((r) => r.method === method && r.template === template)!;
    expect(byName("GET", "/me")).toMatchObject({ access: "signed_in", successStatus: 200, errorStatuses: [401, 422] });
    expect(byName("GET", "/users")).toMatchObject({ access: "admin", errorStatuses: [401, 403, 422] });
    expect(byName("DELETE", "/api-keys/{id}")).toMatchObject({ successStatus: 204, errorStatuses: [400, 401, 403, 404, 422] });
    expect(byName("POST", "/auth/login")).toMatchObject({ access: "public", errorStatuses: [400, 401, 413, 415, 422, 429, 503] });
    expect(byName("POST", "/conversations/{id}/messages")).toMatchObject({ successStatus: 202 });
  });

  it.each(restRoutes.map((r) => [`${r.method} ${r.template}`, r] as const))("%s answers 204 exactly when its procedure returns nothing", (_name, route) => {
    const procedure = (appRouter._def.procedures as unknown as Record<string, { _def: { output?: { _zod: { def: { type: string } } } } }>)[route.procedurePath]!;
    expect(route.successStatus === 204).toBe(procedure._def.output?._zod.def.type === "void");
  });

  it("has one error schema, the envelope errorBody writes, and none of trpc-to-openapi's", () => {
    const schemas = Object.keys(doc.components?.schemas ?? {});
    expect(schemas.filter((name) => name.startsWith("error."))).toEqual([]);
    const contract = new OpenApiContract(doc as unknown as Record<string, unknown>);
    const at = ["components", "schemas", "Error"];
    expect(contract.validate(at, errorBody("not_found", "no such thing", "c-1"))).toEqual([]);
    expect(contract.validate(at, errorBody("validation_error", "title: required", "c-2", "title"))).toEqual([]);
    expect(contract.validate(at, { message: "Not found", code: "NOT_FOUND", issues: [] })).not.toEqual([]);
    expect(contract.validate(at, { error: { code: "x", message: "y", correlation_id: "z", stack: "at ..." } })).not.toEqual([]);
  });

  it("documents the signed operations: callbacks with their five headers, webhooks with both handshakes", () => {
    const callback = paths["/automations/callbacks"]!.post as unknown as { security: unknown[]; parameters: { name: string; in: string; required: boolean }[] };
    expect(callback.security).toEqual([{ callbackSignature: [] }]);
    expect(callback.parameters.filter((p) => p.in === "header" && p.required).map((p) => p.name)).toEqual([
      "X-Alfred-Destination-Id",
      "X-Alfred-Event-Id",
      "X-Alfred-Tenant-Id",
      "X-Alfred-Timestamp",
      "X-Alfred-Signature",
    ]);
    expect(JSON.stringify(doc.components?.securitySchemes?.callbackSignature)).toContain("{X-Alfred-Timestamp}.{X-Alfred-Event-Id}.{X-Alfred-Tenant-Id}.{raw body}");
    expect(Object.keys(paths["/webhooks/{channel_type}"]!)).toEqual(["get", "post"]);
    expect(paths["/automations/callbacks"]).toMatchObject({ servers: [{ url: "/api/v1" }, { url: "/v1" }] });
  });

  it("documents what a delivery carries: every header, X-Alfred-Destination-Id included, and the event envelope", () => {
    const delivery = (doc as unknown as { webhooks: Record<string, { post: { parameters: { name: string }[]; requestBody: { content: Record<string, { schema: unknown }> } } }> }).webhooks.automationDelivery!.post;
    expect(delivery.parameters.map((p) => p.name)).toEqual(
      expect.arrayContaining(["X-Alfred-Destination-Id", "X-Alfred-Event-Id", "X-Alfred-Tenant-Id", "X-Alfred-Timestamp", "X-Alfred-Signature", "X-Alfred-Body-Signature", "webhook-signature"]),
    );
    expect(JSON.stringify(delivery.requestBody.content["application/json"]!.schema)).toContain("message.ingested");
  });

  it("matches literal segments before parameters and names the allowed methods otherwise", () => {
    expect(matchRoute("GET", "/users/directory")).toMatchObject({ route: { procedurePath: "users.directory" } });
    expect(matchRoute("GET", "/users/5b2c6a52-8a5b-4bd5-9a53-2c4f1bd0b1a7")).toMatchObject({ route: { procedurePath: "users.get" }, params: { id: "5b2c6a52-8a5b-4bd5-9a53-2c4f1bd0b1a7" } });
    expect(matchRoute("PUT", "/auth/login")).toEqual({ allowed: ["POST"] });
    expect(matchRoute("GET", "/nothing/here")).toBeNull();
  });
});
