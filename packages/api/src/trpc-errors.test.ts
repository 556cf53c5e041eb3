import { createLogger } from "@alfred/core";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createContext, type ApiDeps } from "./context";
import { createTRPCRouter, publicProcedure } from "./trpc";

/**
 * A fault inside a procedure (a driver error quoting its SQL and parameters, a bug) must reach the
 * browser as a generic message: its text is for the log, which carries the correlation id.
 */
const deps = { logger: createLogger("trpc-errors-test", "silent") } as unknown as ApiDeps;
const router = createTRPCRouter({
  boom: publicProcedure.input(z.void()).query(() => {
    throw new Error('Failed query: insert into "users" ("email", "password_hash") values ($1, $2)\nparams: a@b.test,$argon2id$v=19$secret-hash');
  }),
  databaseDown: publicProcedure.input(z.void()).query(() => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" });
    throw new Error('Failed query: select "id" from "users"', { cause: refused });
  }),
});

describe("tRPC error shape", () => {
  it("does not send an internal error's message to the client", async () => {
    const res = await fetchRequestHandler({
      endpoint: "/api/trpc",
      req: new Request("http://alfred.test/api/trpc/boom"),
      router,
      createContext: () => createContext(deps, { auth: null, correlationId: "corr-1" }),
    });
    const text = await res.text();
    expect(res.status).toBe(500);
    expect(text).not.toContain("Failed query");
    expect(text).not.toContain("argon2id");
    expect(text).toContain("corr-1");
  });

  it("answers 503 'unavailable' (retry), not 500, while the database cannot be reached; no SQL in it", async () => {
    const res = await fetchRequestHandler({
      endpoint: "/api/trpc",
      req: new Request("http://alfred.test/api/trpc/databaseDown"),
      router,
      createContext: () => createContext(deps, { auth: null, correlationId: "corr-2" }),
    });
    const text = await res.text();
    expect(res.status).toBe(503);
    expect(text).toContain("the database is unavailable right now");
    expect(text).not.toContain("Failed query");
    expect(text).not.toContain("ECONNREFUSED");
  });
});
