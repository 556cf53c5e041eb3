import { z } from "zod";

export const MIN_LEAD_STALL_DAYS = 1;
export const MAX_LEAD_STALL_DAYS = 365;

export const workspaceSettings = z.object({
  lead_stall_days: z.number().int().meta({ description: "A lead with no conversation activity for this many days is stalled (its assignee is reminded once per period)" }),
});

/** The workspace is the caller's tenant: there is no id to send. A body naming nothing is a 422, as for every PATCH. */
export const updateSettingsInput = z
  .object({
    lead_stall_days: z
      .number({ error: "must be a whole number of days" })
      .int("must be a whole number of days")
      .min(MIN_LEAD_STALL_DAYS, `must be at least ${MIN_LEAD_STALL_DAYS} day`)
      .max(MAX_LEAD_STALL_DAYS, `must be at most ${MAX_LEAD_STALL_DAYS} days`)
      .optional(),
  })
  // An empty REST body arrives as no input at all; it gets the same answer as `{}`.
  .default({})
  .refine((patch) => patch.lead_stall_days !== undefined, { message: "nothing to update: send lead_stall_days" });
