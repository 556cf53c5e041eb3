import type { Principal } from "@alfred/auth";
import {
  assigneeDirectory,
  checkFlow,
  checkRule,
  createFlow,
  createRule,
  deleteFlow,
  deleteRule,
  getFlow,
  getRule,
  listExecutions,
  listFlows,
  listRules,
  recentRuleEvents,
  recordAiCall,
  simulateFlowDefinition,
  simulateRule,
  updateFlow,
  updateRule,
  type SimulationSource,
} from "@alfred/crm";
import { instrumentProvider, isAiProviderError } from "@alfred/rules";
import type { z } from "zod";
import type { Context } from "../../context";
import type {
  createFlowInput,
  createRuleInput,
  fromTextInput,
  listExecutionsInput,
  recentEventsInput,
  ruleIdInput,
  simulateDraftInput,
  simulateRuleInput,
  updateFlowInput,
  updateRuleInput,
  validateInput,
} from "./rules.schema";

type TenantCtx = Context & { principal: Principal; tenantId: string };
type Args<T extends z.ZodType> = { ctx: TenantCtx; input: z.infer<T> };

const sourceOf = (input: { event_id?: string; sample?: unknown }): SimulationSource => (input.event_id ? { event_id: input.event_id } : { sample: input.sample });

export const listRulesHandler = ({ ctx }: { ctx: TenantCtx }) => listRules(ctx.db, ctx.tenantId);
export const getRuleHandler = ({ ctx, input }: Args<typeof ruleIdInput>) => getRule(ctx.db, ctx.tenantId, input.id);
export const createRuleHandler = ({ ctx, input }: Args<typeof createRuleInput>) => createRule(ctx.db, ctx.tenantId, ctx.principal.userId, input);
export const updateRuleHandler = ({ ctx, input: { id, ...patch } }: Args<typeof updateRuleInput>) => updateRule(ctx.db, ctx.tenantId, id, patch);
export const deleteRuleHandler = ({ ctx, input }: Args<typeof ruleIdInput>) => deleteRule(ctx.db, ctx.tenantId, input.id);

export const simulateRuleHandler = ({ ctx, input }: Args<typeof simulateRuleInput>) => simulateRule(ctx.db, ctx.tenantId, { id: input.id }, sourceOf(input));
export const simulateDraftHandler = ({ ctx, input }: Args<typeof simulateDraftInput>) => simulateRule(ctx.db, ctx.tenantId, { definition: input.definition }, sourceOf(input));

export async function validateRuleHandler({ ctx, input }: Args<typeof validateInput>) {
  const checked = await checkRule(ctx.db, ctx.tenantId, input.definition);
  return checked.ok ? { ok: true, errors: [], compiled: checked.rule as unknown as Record<string, unknown> } : { ok: false, errors: checked.errors, compiled: null };
}

export const listExecutionsHandler = async ({ ctx, input }: Args<typeof listExecutionsInput>) => {
  // A rule or flow named in the filter must be the tenant's: another tenant's id is a 404, not an empty page.
  if (input.rule_id) await getRule(ctx.db, ctx.tenantId, input.rule_id);
  if (input.flow_id) await getFlow(ctx.db, ctx.tenantId, input.flow_id);
  return listExecutions(ctx.db, ctx.tenantId, { ruleId: input.rule_id, flowId: input.flow_id, eventId: input.event_id, matched: input.matched, cursor: input.cursor, limit: input.limit });
};

export const recentEventsHandler = ({ ctx, input }: Args<typeof recentEventsInput>) => recentRuleEvents(ctx.db, ctx.tenantId, { eventType: input.event_type, limit: input.limit });

export const listFlowsHandler = ({ ctx }: { ctx: TenantCtx }) => listFlows(ctx.db, ctx.tenantId);
export const getFlowHandler = ({ ctx, input }: Args<typeof ruleIdInput>) => getFlow(ctx.db, ctx.tenantId, input.id);
export const createFlowHandler = ({ ctx, input }: Args<typeof createFlowInput>) => createFlow(ctx.db, ctx.tenantId, ctx.principal.userId, input);
export const updateFlowHandler = ({ ctx, input: { id, ...patch } }: Args<typeof updateFlowInput>) => updateFlow(ctx.db, ctx.tenantId, id, patch);
export const deleteFlowHandler = ({ ctx, input }: Args<typeof ruleIdInput>) => deleteFlow(ctx.db, ctx.tenantId, input.id);

export async function validateFlowHandler({ ctx, input }: Args<typeof validateInput>) {
  const checked = await checkFlow(ctx.db, ctx.tenantId, input.definition);
  return checked.ok ? { ok: true, errors: [], plan: checked.flow as unknown as Record<string, unknown> } : { ok: false, errors: checked.errors, plan: null };
}

export const simulateFlowHandler = ({ ctx, input }: Args<typeof simulateDraftInput>) => simulateFlowDefinition(ctx.db, ctx.tenantId, input.definition, sourceOf(input));

/**
 * Natural language -> a flow to review (never saved here). The provider's answer is compiled and its
 * ids checked against the workspace; anything else comes back as `ok: false` with what was
 * understood. Each call is logged in ai_events: sizes and outcome, never the text.
 */
export async function fromTextHandler({ ctx, input }: Args<typeof fromTextInput>) {
  const provider = instrumentProvider(ctx.ai, (call) => recordAiCall(ctx.db, ctx.tenantId, call));
  const about = { name: ctx.ai.name, label: ctx.ai.label, model: ctx.ai.model };
  let result;
  try {
    result = await provider.flowFromText({ text: input.text, directory: await assigneeDirectory(ctx.db, ctx.tenantId) });
  } catch (err) {
    // A model that timed out or answered something unusable: shown to the admin as it is, nothing saved.
    if (!isAiProviderError(err)) throw err;
    const message = `the AI provider (${about.label}) did not answer usably (${err.kind}); try again, or write the flow in the editor`;
    return { ok: false, provider: about, understood: [], not_understood: [], message, errors: [], definition: null, plan: null };
  }
  if (!result.ok) return { ok: false, provider: about, understood: result.understood, not_understood: result.not_understood, message: result.message, errors: result.errors, definition: null, plan: null };
  // The provider compiled it; the workspace check (users, destinations) is ours.
  const checked = await checkFlow(ctx.db, ctx.tenantId, result.definition);
  if (!checked.ok) return { ok: false, provider: about, understood: result.understood, not_understood: [], message: "the flow names users or destinations that are not in this workspace", errors: checked.errors, definition: null, plan: null };
  return { ok: true, provider: about, understood: result.understood, not_understood: [], message: null, errors: [], definition: result.definition as unknown as Record<string, unknown>, plan: checked.flow as unknown as Record<string, unknown> };
}
