import { z } from "zod";

/** Shared input pieces. REST query strings arrive as strings, so numbers and booleans are coerced. */
export const idInput = z.object({ id: z.uuid() });
export const cursorInput = z.string().max(200).optional();
export const limitInput = z.coerce.number().int().min(1).max(100).optional();
/** A query-string boolean: tRPC callers send true/false, REST callers "true"/"false" (coerced). */
export const booleanInput = z.preprocess((v) => (v === "true" || v === "1" ? true : v === "false" || v === "0" ? false : v), z.boolean());
export const isoDateTime = z.iso.datetime({ offset: true }).transform((s) => new Date(s));
export const pageOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), next_cursor: z.string().nullable() });
