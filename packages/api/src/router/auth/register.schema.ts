import { z } from "zod";
import { PASSWORD_MIN_LENGTH } from "@alfred/auth";

export const registerInput = z.object({
  email: z.email().max(254),
  password: z.string().min(PASSWORD_MIN_LENGTH).max(256),
  name: z.string().trim().min(1).max(120),
  tenant_name: z.string().trim().min(1).max(120),
});

export const tokenPairOutput = z.object({
  access_token: z.string(),
  refresh_token: z.string(),
  token_type: z.literal("bearer"),
  expires_in: z.number().int(),
});

export const registerOutput = z.object({
  user: z.object({ id: z.uuid(), email: z.string(), name: z.string(), role: z.literal("admin") }),
  tenant: z.object({ id: z.uuid(), name: z.string() }),
  access_token: z.string(),
  refresh_token: z.string(),
  token_type: z.literal("bearer"),
  expires_in: z.number().int(),
});
