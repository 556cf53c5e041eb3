import { PASSWORD_MIN_LENGTH } from "@alfred/auth";
import { ROLES } from "@alfred/db/schema";
import { z } from "zod";

export const roleSchema = z.enum(ROLES);

export const publicUser = z.object({
  id: z.uuid(),
  email: z.string(),
  name: z.string(),
  role: roleSchema,
  active: z.boolean(),
  created_at: z.string(),
});

export const meOutput = z.object({
  user: z.object({ id: z.uuid(), email: z.string(), name: z.string() }),
  tenant: z.object({ id: z.uuid(), name: z.string() }),
  role: roleSchema,
});

export const userIdInput = z.object({ id: z.uuid() });

export const createUserInput = z.object({
  email: z.email().max(254),
  name: z.string().trim().min(1).max(120),
  role: roleSchema,
  password: z.string().min(PASSWORD_MIN_LENGTH).max(256),
});

export const changeRoleInput = z.object({ id: z.uuid(), role: roleSchema });
