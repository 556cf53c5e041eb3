import { z } from "zod";

/**
 * Validates an env object; a missing or malformed variable stops start-up with one line per
 * problem that names the variable.
 */
export function parseEnv<T extends z.ZodType>(schema: T, source: Record<string, string | undefined>, app: string): z.infer<T> {
  const result = schema.safeParse(source);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `  ${i.path.join(".") || "(env)"}: ${i.message}`);
  throw new Error(`${app}: invalid environment\n${lines.join("\n")}`);
}

/** "a,b, c" -> ["a","b","c"] */
export const commaList = z
  .string()
  .transform((s) => s.split(",").map((x) => x.trim()).filter(Boolean));
