import { describe, expect, it } from "vitest";
import { openApiDocument } from "./openapi";
import { matchRoute, restRoutes } from "./routes";

describe("OpenAPI document and REST routes come from the same procedures", () => {
  const doc = openApiDocument();

  it("builds an OpenAPI 3 document", () => {
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths ?? {}).length).toBeGreaterThan(30);
  });

  it.each(restRoutes.map((r) => [`${r.method} ${r.template}`, r] as const))("%s is documented, with bearer auth when protected", (_name, route) => {
    const operation = (doc.paths as Record<string, Record<string, { security?: unknown[] }>>)[route.template]?.[route.method.toLowerCase()];
    expect(operation).toBeDefined();
    if (route.access !== "public") expect(operation!.security).toEqual([{ bearerAuth: [] }, { apiKey: [] }]);
  });

  it("matches literal segments before parameters and names the allowed methods otherwise", () => {
    expect(matchRoute("GET", "/users/directory")).toMatchObject({ route: { procedurePath: "users.directory" } });
    expect(matchRoute("GET", "/users/5b2c6a52-8a5b-4bd5-9a53-2c4f1bd0b1a7")).toMatchObject({ route: { procedurePath: "users.get" }, params: { id: "5b2c6a52-8a5b-4bd5-9a53-2c4f1bd0b1a7" } });
    expect(matchRoute("PUT", "/auth/login")).toEqual({ allowed: ["POST"] });
    expect(matchRoute("GET", "/nothing/here")).toBeNull();
  });
});
