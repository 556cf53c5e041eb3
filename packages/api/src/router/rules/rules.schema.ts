import { MAX_INSTRUCTION_LENGTH, RULE_EVENT_TYPES } from "@alfred/rules";
import { z } from "zod";
import { booleanInput, cursorInput, freeformObject, limitInput, patchInput } from "../schemas";

/** A rule or flow as written; `compileRule` / `compileFlow` check everything else, with JSON paths. */
const MAX_DEFINITION_BYTES = 64 * 1024;
const definition = freeformObject(MAX_DEFINITION_BYTES).describe("The definition (version 1): trigger, conditions, actions (rules) or steps (flows). See packages/rules/README.md.");
const name = z.string().trim().min(1).max(120);

export const ruleIdInput = z.object({ id: z.uuid() });

export const createRuleInput = z.object({ name, enabled: z.boolean().optional(), definition });
export const updateRuleInput = patchInput({ name: name.optional(), enabled: z.boolean().optional(), definition: definition.optional() });

/** What a dry run evaluates against: a stored event of the tenant, or a sample (facts: event + records). */
const source = {
  event_id: z.uuid().optional(),
  sample: freeformObject(MAX_DEFINITION_BYTES).optional().describe("Facts: {event: {id, type, occurred_at, payload}, message?, conversation?, contact?, channel?}"),
};
const oneSource = <T extends { event_id?: string; sample?: unknown }>(value: T, ctx: z.RefinementCtx) => {
  if ((value.event_id === undefined) === (value.sample === undefined)) ctx.addIssue({ code: "custom", message: "give either event_id or sample", path: ["event_id"] });
};
export const simulateRuleInput = z.object({ id: z.uuid(), ...source }).superRefine(oneSource);
export const simulateDraftInput = z.object({ definition, ...source }).superRefine(oneSource);

export const problem = z.object({ path: z.string(), message: z.string() });
export const validateInput = z.object({ definition });

export const ruleView = z.object({
  id: z.uuid(),
  name: z.string(),
  enabled: z.boolean(),
  event_type: z.string(),
  definition: z.record(z.string(), z.unknown()),
  version: z.number().int(),
  created_by_user_id: z.uuid().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});

export const flowView = ruleView.extend({ plan: z.unknown().describe("The compiled plan: steps with wait_seconds and offset_seconds"), source_prompt: z.string().nullable() });

const explainedTest = z.object({ path: z.string(), op: z.string(), expected: z.unknown(), actual: z.unknown(), result: z.boolean(), ignore_case_and_accents: z.boolean().optional(), text: z.string() });
const explainedAction = z.object({ type: z.string(), params: z.record(z.string(), z.unknown()), origin: z.unknown(), skipped: z.string().nullable(), text: z.string() });

export const simulationOutput = z.object({
  event: z.object({ id: z.string(), type: z.string(), occurred_at: z.string() }),
  matched: z.boolean(),
  skipped: z.string().nullable(),
  summary: z.string(),
  conditions: z.array(explainedTest),
  trace: z.unknown(),
  actions: z.array(explainedAction),
});

export const flowSimulationOutput = z.object({
  starts: z.boolean(),
  skipped: z.string().nullable(),
  summary: z.string(),
  conditions: z.array(explainedTest),
  steps: z.array(z.object({ index: z.number().int(), name: z.string().nullable(), offset_seconds: z.number(), run_at: z.string(), matched: z.boolean(), summary: z.string(), conditions: z.array(explainedTest), trace: z.unknown(), actions: z.array(explainedAction) })),
});

export const ruleValidationOutput = z.object({ ok: z.boolean(), errors: z.array(problem), compiled: z.record(z.string(), z.unknown()).nullable() });

export const listExecutionsInput = z.object({
  rule_id: z.uuid().optional(),
  flow_id: z.uuid().optional(),
  event_id: z.uuid().optional(),
  matched: booleanInput.optional(),
  cursor: cursorInput,
  limit: limitInput,
})
  .optional()
  .default({});

export const executionView = z.object({
  id: z.uuid(),
  rule_id: z.uuid().nullable(),
  flow_id: z.uuid().nullable(),
  step: z.number().int().nullable(),
  event_id: z.uuid(),
  event_type: z.string(),
  version: z.number().int(),
  matched: z.boolean(),
  skipped: z.string().nullable(),
  conditions: z.array(z.unknown()),
  actions: z.array(z.object({ type: z.string(), outcome: z.string(), detail: z.string().nullable() })),
  errors: z.array(z.string()),
  chain_depth: z.number().int(),
  root_event_id: z.uuid().nullable(),
  created_at: z.string(),
});
export const executionPage = z.object({ items: z.array(executionView), next_cursor: z.string().nullable() });

export const recentEventsInput = z.object({ event_type: z.enum(RULE_EVENT_TYPES).optional(), limit: limitInput }).optional().default({});
export const recentEventsOutput = z.object({ items: z.array(z.object({ id: z.uuid(), type: z.string(), occurred_at: z.string(), summary: z.string() })) });

export const createFlowInput = z.object({ name, enabled: z.boolean().optional(), definition, source_prompt: z.string().max(MAX_INSTRUCTION_LENGTH).optional() });
export const updateFlowInput = patchInput({ name: name.optional(), enabled: z.boolean().optional(), definition: definition.optional() });
export const flowValidationOutput = z.object({ ok: z.boolean(), errors: z.array(problem), plan: z.record(z.string(), z.unknown()).nullable() });

export const fromTextInput = z.object({ text: z.string().trim().min(1).max(MAX_INSTRUCTION_LENGTH) });
export const fromTextOutput = z.object({
  ok: z.boolean(),
  provider: z.object({ name: z.string(), label: z.string(), model: z.string().nullable() }),
  understood: z.array(z.string()),
  not_understood: z.array(z.string()),
  message: z.string().nullable(),
  errors: z.array(problem),
  /** The compiled flow to review, simulate and save; null when the instruction was not understood. */
  definition: z.record(z.string(), z.unknown()).nullable(),
  plan: z.record(z.string(), z.unknown()).nullable(),
});
