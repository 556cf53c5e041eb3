import { z } from "zod";

export const loginInput = z.object({
  email: z.string().trim().min(1).max(254),
  password: z.string().min(1).max(256),
});

export const refreshInput = z.object({ refresh_token: z.string().min(1).max(4096) });
