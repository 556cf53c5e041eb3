import { INSTANT_RANGE_MESSAGE, isInstantInRange, jsonByteLength, parseIsoInstant } from "@alfred/core";
import { z } from "zod";

/**
 * Shared input pieces. REST query strings arrive as strings, so numbers and booleans are coerced.
 *
 * Hostile input, decided once: text Postgres cannot store (NUL, unpaired surrogates) and nesting
 * deeper than MAX_INPUT_DEPTH are refused with a 422 naming the field by the middleware every
 * procedure runs (trpc.ts), before these schemas; instants are bounded here; free-form JSON has a
 * size bound here.
 */
export const idInput = z.object({ id: z.uuid() });
export const cursorInput = z.string().max(200).optional();
export const limitInput = z.coerce.number().int().min(1).max(100).optional();
/** A query-string boolean: tRPC callers send true/false, REST callers "true"/"false" (coerced). */
export const booleanInput = z.preprocess((v) => (v === "true" || v === "1" ? true : v === "false" || v === "0" ? false : v), z.boolean());

const INSTANT_FORMAT_MESSAGE = "must be an ISO-8601 date-time with an offset (2025-01-31T09:00:00Z) or a date (2025-01-31)";

/**
 * Every instant an API client sends (filters, due dates, snoozes): an ISO 8601 date-time with an
 * offset or a date, or a Date from tRPC; a date that does not exist or lies outside 1970..9999 is
 * a 422 naming the field (Postgres cannot hold year 0 nor the `+275760-...` JS writes).
 */
export const instantInput = z
  .union([z.date(), z.string().max(64)], { error: INSTANT_FORMAT_MESSAGE })
  .meta({
    override: ({ jsonSchema }) => {
      for (const key of Object.keys(jsonSchema)) delete jsonSchema[key];
      Object.assign(jsonSchema, { type: "string", format: "date-time", description: "ISO 8601 with an offset, or a date; years 1970 to 9999" });
    },
  })
  .transform((value, ctx) => {
  const date = typeof value === "string" ? parseIsoInstant(value) : Number.isNaN(value.getTime()) ? null : value;
  if (!date) {
    ctx.addIssue({ code: "custom", message: INSTANT_FORMAT_MESSAGE });
    return z.NEVER;
  }
  if (!isInstantInRange(date)) {
    ctx.addIssue({ code: "custom", message: INSTANT_RANGE_MESSAGE });
    return z.NEVER;
  }
  return date;
});

/** Free-form JSON objects (contact attributes): string keys, a size bound; depth is bounded for all input. */
export const freeformObject = (maxBytes: number) =>
  z.record(z.string().max(100), z.unknown()).refine((value) => jsonByteLength(value) <= maxBytes, { message: `must be at most ${maxBytes} bytes as JSON` });

export const MAX_CONTACT_ATTRIBUTES_BYTES = 16 * 1024;

/**
 * A PATCH changes something: a body naming none of the fields (`{}`, or only misspelt ones, which
 * zod drops) is a 422 listing them, for every PATCH route, rather than a silent no-op that hides a
 * client's typo. `id` comes from the path.
 */
export function patchInput<Shape extends z.ZodRawShape>(shape: Shape) {
  const fields = Object.keys(shape);
  return z
    .object({ id: z.uuid(), ...shape })
    .refine((patch) => fields.some((field) => (patch as Record<string, unknown>)[field] !== undefined), { message: `nothing to update: send at least one of ${fields.join(", ")}` });
}

export const pageOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), next_cursor: z.string().nullable() });
