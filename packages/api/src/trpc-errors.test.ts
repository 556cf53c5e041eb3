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
});
