import { ROLES } from "@alfred/db/schema";
import { z } from "zod";

export const apiKeyIdInput = z.object({ id: z.uuid() });

export const createApiKeyInput = z.object({ name: z.string().trim().min(1).max(120), role: z.enum(ROLES).optional() });

export const publicApiKey = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string(),
  role: z.enum(ROLES),
  created_by_user_id: z.uuid().nullable(),
  last_used_at: z.string().nullable(),
  revoked_at: z.string().nullable(),
  created_at: z.string(),
});

export const apiKeyWithSecret = publicApiKey.extend({ key: z.string() });
