import { z } from "zod";
import { createTRPCRouter, roleProcedure } from "../../trpc";
import { createHandler, listHandler, revokeHandler } from "./api-keys.handler";
import { apiKeyIdInput, apiKeyWithSecret, createApiKeyInput, publicApiKey } from "./api-keys.schema";

const tags = ["api-keys"];

export const apiKeysRouter = createTRPCRouter({
  create: roleProcedure("admin")
    .meta({ openapi: { method: "POST", path: "/api-keys", tags, summary: "Create an API key; the key is returned this once", protect: true }, rest: { status: 201 } })
    .input(createApiKeyInput)
    .output(apiKeyWithSecret)
    .mutation(createHandler),
  list: roleProcedure("admin")
    .meta({ openapi: { method: "GET", path: "/api-keys", tags, summary: "API keys of the tenant (hashes never leave the server)", protect: true } })
    .input(z.void())
    .output(z.object({ items: z.array(publicApiKey) }))
    .query(listHandler),
  revoke: roleProcedure("admin")
    .meta({ openapi: { method: "DELETE", path: "/api-keys/{id}", tags, summary: "Revoke an API key at once", protect: true }, rest: { status: 204 } })
    .input(apiKeyIdInput)
    .output(z.void())
    .mutation(revokeHandler),
});
