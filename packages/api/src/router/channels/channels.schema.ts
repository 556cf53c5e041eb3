import { CHANNEL_TYPES } from "@alfred/db/schema";
import { z } from "zod";
import { patchInput } from "../schemas";

export const channelView = z.object({
  id: z.uuid(),
  type: z.enum(CHANNEL_TYPES),
  name: z.string(),
  enabled: z.boolean(),
  account_id: z.string().nullable(),
  config: z.record(z.string(), z.unknown()),
  secrets_masked: z.record(z.string(), z.string()),
  created_at: z.string(),
  updated_at: z.string(),
});

export const createChannelInput = z.object({
  type: z.enum(CHANNEL_TYPES),
  name: z.string().trim().min(1).max(120),
  enabled: z.boolean().optional(),
  /** Settings and secrets of the type (see CHANNEL_DEFINITIONS); secrets are never returned. */
  config: z.record(z.string(), z.unknown()),
});

export const updateChannelInput = patchInput({
  name: z.string().trim().min(1).max(120).optional(),
  enabled: z.boolean().optional(),
  config: z.record(z.string(), z.unknown()).optional(),
});
