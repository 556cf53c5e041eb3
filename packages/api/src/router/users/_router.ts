import { z } from "zod";
import { createTRPCRouter, roleProcedure, tenantProcedure } from "../../trpc";
import { changeRoleHandler, createHandler, getHandler, listHandler, meHandler, setActiveHandler } from "./users.handler";
import { changeRoleInput, createUserInput, meOutput, publicUser, roleSchema, userIdInput } from "./users.schema";
import { listUsers } from "@alfred/auth";

const tags = ["users"];

export const usersRouter = createTRPCRouter({
  me: tenantProcedure
    .meta({ openapi: { method: "GET", path: "/me", tags, summary: "The signed-in user, tenant and role", protect: true } })
    .input(z.void())
    .output(meOutput)
    .query(meHandler),
  list: roleProcedure("admin")
    .meta({ openapi: { method: "GET", path: "/users", tags, summary: "Users of the tenant", protect: true } })
    .input(z.void())
    .output(z.object({ items: z.array(publicUser) }))
    .query(listHandler),
  directory: tenantProcedure
    .meta({ openapi: { method: "GET", path: "/users/directory", tags, summary: "Active users (id, name, role) for assignment pickers", protect: true } })
    .input(z.void())
    .output(z.object({ items: z.array(z.object({ id: z.uuid(), name: z.string(), role: roleSchema })) }))
    .query(async ({ ctx }) => ({
      items: (await listUsers(ctx.db, ctx.tenantId)).filter((u) => u.active).map((u) => ({ id: u.id, name: u.name, role: u.role })),
    })),
  get: roleProcedure("admin")
    .meta({ openapi: { method: "GET", path: "/users/{id}", tags, summary: "One user of the tenant", protect: true } })
    .input(userIdInput)
    .output(publicUser)
    .query(getHandler),
  create: roleProcedure("admin")
    .meta({ openapi: { method: "POST", path: "/users", tags, summary: "Create a user with a role", protect: true, errorResponses: [409] }, rest: { status: 201 } })
    .input(createUserInput)
    .output(publicUser)
    .mutation(createHandler),
  changeRole: roleProcedure("admin")
    .meta({ openapi: { method: "PATCH", path: "/users/{id}/role", tags, summary: "Change a user's role (409 for the last active admin)", protect: true, errorResponses: [409] } })
    .input(changeRoleInput)
    .output(publicUser)
    .mutation(changeRoleHandler),
  deactivate: roleProcedure("admin")
    .meta({ openapi: { method: "POST", path: "/users/{id}/deactivate", tags, summary: "Deactivate a user (effective on their next request; 409 for yourself or the last active admin)", protect: true, errorResponses: [409] } })
    .input(userIdInput)
    .output(publicUser)
    .mutation((opts) => setActiveHandler(opts, false)),
  reactivate: roleProcedure("admin")
    .meta({ openapi: { method: "POST", path: "/users/{id}/reactivate", tags, summary: "Reactivate a user", protect: true } })
    .input(userIdInput)
    .output(publicUser)
    .mutation((opts) => setActiveHandler(opts, true)),
});
