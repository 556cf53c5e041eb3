import { z } from "zod";
import { RULE_EVENT_TYPES, type RuleEventType } from "../vocabulary";

/**
 * What a rule is evaluated against: the committed event and the records the worker loaded for it
 * (absent or null when the event has none, e.g. a task without a conversation). Plain JSON, so a
 * stored event, a sample typed in the editor and a job payload all look the same.
 */
export interface Facts {
  event: { id: string; type: RuleEventType; occurred_at: string; payload: Record<string, unknown> };
  message?: Record<string, unknown> | null;
  conversation?: Record<string, unknown> | null;
  contact?: Record<string, unknown> | null;
  channel?: Record<string, unknown> | null;
}

const record = z.record(z.string(), z.unknown()).nullish();

/** For facts that arrive from outside (a sample in the simulate endpoint). */
export const factsSchema = z.object({
  event: z.object({
    id: z.guid(),
    type: z.enum(RULE_EVENT_TYPES),
    occurred_at: z.iso.datetime({ offset: true }),
    payload: z.record(z.string(), z.unknown()),
  }),
  message: record,
  conversation: record,
  contact: record,
  channel: record,
});

/** Reads `contact.attributes.plan` from the facts; own properties only, so `__proto__` reads nothing. */
export function readPath(facts: Facts, path: string): unknown {
  const [root, ...rest] = path.split(".");
  let value: unknown = root === "event" ? facts.event.payload : Object.hasOwn(facts, root!) ? facts[root as keyof Facts] : undefined;
  for (const key of rest) {
    if (typeof value !== "object" || value === null || Array.isArray(value) || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}
