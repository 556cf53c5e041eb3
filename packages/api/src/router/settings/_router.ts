import { eq } from "@alfred/db";
import { tenants } from "@alfred/db/schema";
import { z } from "zod";
import { createTRPCRouter, roleProcedure, tenantProcedure } from "../../trpc";
import { updateSettingsInput, workspaceSettings } from "./settings.schema";

const tags = ["settings"];

/** Workspace settings: everyone reads them (the inbox explains stalled leads by them), admins change them. */
export const settingsRouter = createTRPCRouter({
  get: tenantProcedure
    .meta({ openapi: { method: "GET", path: "/settings", tags, summary: "Workspace settings (lead stall period)", protect: true } })
    .input(z.void())
    .output(workspaceSettings)
    .query(async ({ ctx }) => {
      const [row] = await ctx.db.select({ leadStallDays: tenants.leadStallDays }).from(tenants).where(eq(tenants.id, ctx.tenantId));
      return { lead_stall_days: row!.leadStallDays };
    }),
  update: roleProcedure("admin")
    .meta({ openapi: { method: "PATCH", path: "/settings", tags, summary: "Change workspace settings (admins)", protect: true } })
    .input(updateSettingsInput)
    .output(workspaceSettings)
    .mutation(async ({ ctx, input }) => {
      const [row] = await ctx.db.update(tenants).set({ leadStallDays: input.lead_stall_days }).where(eq(tenants.id, ctx.tenantId)).returning({ leadStallDays: tenants.leadStallDays });
      return { lead_stall_days: row!.leadStallDays };
    }),
});
