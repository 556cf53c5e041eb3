import { createChannel, deleteChannel, getChannelRow, listChannels, toChannelView, updateChannel } from "@alfred/crm";
import { z } from "zod";
import type { Context } from "../../context";
import { createTRPCRouter, roleProcedure, tenantProcedure } from "../../trpc";
import { idInput } from "../schemas";
import { channelView, createChannelInput, updateChannelInput } from "./channels.schema";

const tags = ["channels"];

/** Webhook intake caches channels with their secrets: every change empties that cache, here and in every other process. */
async function channelsChanged<T>(ctx: Context, result: T): Promise<T> {
  ctx.channels.forget();
  await ctx.producer.announceChannelChange();
  return result;
}

export const channelsRouter = createTRPCRouter({
  list: tenantProcedure
    .meta({ openapi: { method: "GET", path: "/channels", tags, summary: "Channels of the workspace (secrets masked)", protect: true } })
    .input(z.void())
    .output(z.object({ items: z.array(channelView) }))
    .query(async ({ ctx }) => ({ items: await listChannels(ctx.db, ctx.tenantId) })),
  get: roleProcedure("admin")
    .meta({ openapi: { method: "GET", path: "/channels/{id}", tags, summary: "One channel", protect: true } })
    .input(idInput)
    .output(channelView)
    .query(async ({ ctx, input }) => toChannelView(await getChannelRow(ctx.db, ctx.tenantId, input.id))),
  create: roleProcedure("admin")
    .meta({ openapi: { method: "POST", path: "/channels", tags, summary: "Connect a channel", protect: true, errorResponses: [409] }, rest: { status: 201 } })
    .input(createChannelInput)
    .output(channelView)
    .mutation(async ({ ctx, input }) => channelsChanged(ctx, await createChannel(ctx.db, ctx.keys, ctx.automation, ctx.tenantId, input))),
  update: roleProcedure("admin")
    .meta({ openapi: { method: "PATCH", path: "/channels/{id}", tags, summary: "Rename, enable/disable, change settings or replace secrets", protect: true, errorResponses: [409] } })
    .input(updateChannelInput)
    .output(channelView)
    .mutation(async ({ ctx, input }) => channelsChanged(ctx, await ctx.db.transaction((tx) => updateChannel(tx, ctx.keys, ctx.automation, ctx.tenantId, input.id, input)))),
  delete: roleProcedure("admin")
    .meta({ openapi: { method: "DELETE", path: "/channels/{id}", tags, summary: "Delete a channel with its conversations", protect: true } })
    .input(idInput)
    .output(z.void())
    .mutation(async ({ ctx, input }) => {
      await channelsChanged(ctx, await deleteChannel(ctx.db, ctx.tenantId, input.id));
    }),
});
