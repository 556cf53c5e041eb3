import { AppError } from "@alfred/core";
import { and, cursorTimestamp, decodeCursor, DEFAULT_PAGE_SIZE, encodeCursor, eq, inArray, isNull, sql, type DbOrTx, type SQL } from "@alfred/db";
import { automationDestinations, automationEvents, flows, memberships, ruleExecutions, rules } from "@alfred/db/schema";
import { compileFlow, compileRule, factsSchema, RULE_EVENT_TYPES, simulate, simulateFlow, type CompiledAction, type Facts, type FlowPlan, type Problem } from "@alfred/rules";
import { loadFacts } from "./facts";

type RuleRow = typeof rules.$inferSelect;
type FlowRow = typeof flows.$inferSelect;

export function ruleView(row: RuleRow) {
  return {
    id: row.id,
    name: row.name,
    enabled: row.enabled,
    event_type: row.eventType,
    definition: row.definition as Record<string, unknown>,
    version: row.version,
    created_by_user_id: row.createdByUserId,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

export function flowView(row: FlowRow) {
  return {
    id: row.id,
    name: row.name,
    enabled: row.enabled,
    event_type: row.triggerEventType,
    definition: row.definition as Record<string, unknown>,
    plan: row.compiled as FlowPlan,
    source_prompt: row.sourcePrompt,
    version: row.version,
    created_by_user_id: row.createdByUserId,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

/** Every problem, one line each, for a 422; the first path is the one the error points at. */
function invalid(what: "rule" | "flow", errors: Problem[]): AppError {
  return new AppError("validation_error", `the ${what} is not valid: ${errors.map((e) => `${e.path}: ${e.message}`).join("; ")}`, { path: `definition.${errors[0]?.path ?? "$"}` });
}

/**
 * Users and destinations a definition names must be the tenant's (active users, its destinations):
 * compile checks the shape, this checks the ids against the workspace. Returned like compile errors.
 */
export async function foreignReferences(db: DbOrTx, tenantId: string, actions: { path: string; action: CompiledAction }[]): Promise<Problem[]> {
  const users: { path: string; id: string }[] = [];
  const destinations: { path: string; id: string }[] = [];
  for (const { path, action } of actions) {
    const p = action.params as Record<string, unknown>;
    if (action.type === "assign_agent") users.push({ path: `${path}.params.user_id`, id: p.user_id as string });
    if (action.type === "assign_round_robin" && Array.isArray(p.among)) (p.among as string[]).forEach((id, i) => users.push({ path: `${path}.params.among[${i}]`, id }));
    if (action.type === "create_task" && typeof p.assignee === "object" && p.assignee) users.push({ path: `${path}.params.assignee.user_id`, id: (p.assignee as { user_id: string }).user_id });
    if (action.type === "notify_users" && "user_ids" in (p.to as object)) (p.to as { user_ids: string[] }).user_ids.forEach((id, i) => users.push({ path: `${path}.params.to.user_ids[${i}]`, id }));
    if (action.type === "emit_to_destination") destinations.push({ path: `${path}.params.destination_id`, id: p.destination_id as string });
  }
  const problems: Problem[] = [];
  if (users.length) {
    const known = new Set(
      (await db.select({ id: memberships.userId }).from(memberships).where(and(eq(memberships.tenantId, tenantId), isNull(memberships.deactivatedAt), inArray(memberships.userId, users.map((u) => u.id.toLowerCase()))))).map((r) => r.id),
    );
    for (const u of users) if (!known.has(u.id.toLowerCase())) problems.push({ path: u.path, message: "is not an active user of this workspace" });
  }
  if (destinations.length) {
    const known = new Set((await db.select({ id: automationDestinations.id }).from(automationDestinations).where(and(eq(automationDestinations.tenantId, tenantId), inArray(automationDestinations.id, destinations.map((d) => d.id.toLowerCase()))))).map((r) => r.id));
    for (const d of destinations) if (!known.has(d.id.toLowerCase())) problems.push({ path: d.path, message: "is not a destination of this workspace" });
  }
  return problems;
}

/** compile + the workspace's ids: what saving a rule needs. */
export async function checkRule(db: DbOrTx, tenantId: string, definition: unknown) {
  const compiled = compileRule(definition);
  if (!compiled.ok) return compiled;
  const errors = await foreignReferences(db, tenantId, compiled.rule.actions.map((action, i) => ({ path: `actions[${i}]`, action })));
  return errors.length ? { ok: false as const, errors } : compiled;
}

export async function checkFlow(db: DbOrTx, tenantId: string, definition: unknown) {
  const compiled = compileFlow(definition);
  if (!compiled.ok) return compiled;
  const errors = await foreignReferences(db, tenantId, compiled.flow.steps.flatMap((step) => step.actions.map((action, i) => ({ path: `steps[${step.index}].actions[${i}]`, action }))));
  return errors.length ? { ok: false as const, errors } : compiled;
}

// ---- rules

export async function listRules(db: DbOrTx, tenantId: string) {
  const rows = await db.select().from(rules).where(eq(rules.tenantId, tenantId)).orderBy(rules.createdAt, rules.id);
  return { items: rows.map(ruleView) };
}

async function ruleRow(db: DbOrTx, tenantId: string, id: string): Promise<RuleRow> {
  const [row] = await db.select().from(rules).where(and(eq(rules.tenantId, tenantId), eq(rules.id, id)));
  if (!row) throw new AppError("not_found", "rule not found");
  return row;
}

export const getRule = async (db: DbOrTx, tenantId: string, id: string) => ruleView(await ruleRow(db, tenantId, id));

export async function createRule(db: DbOrTx, tenantId: string, userId: string | null, input: { name: string; enabled?: boolean; definition: unknown }) {
  const checked = await checkRule(db, tenantId, input.definition);
  if (!checked.ok) throw invalid("rule", checked.errors);
  const [row] = await db
    .insert(rules)
    .values({ tenantId, name: input.name, enabled: input.enabled ?? true, eventType: checked.rule.event_type, definition: input.definition, compiled: checked.rule, createdByUserId: userId })
    .returning();
  return ruleView(row!);
}

export async function updateRule(db: DbOrTx, tenantId: string, id: string, input: { name?: string; enabled?: boolean; definition?: unknown }) {
  const current = await ruleRow(db, tenantId, id);
  const patch: Partial<typeof rules.$inferInsert> = {};
  if (input.name !== undefined) patch.name = input.name;
  if (input.enabled !== undefined) patch.enabled = input.enabled;
  if (input.definition !== undefined) {
    const checked = await checkRule(db, tenantId, input.definition);
    if (!checked.ok) throw invalid("rule", checked.errors);
    Object.assign(patch, { definition: input.definition, compiled: checked.rule, eventType: checked.rule.event_type, version: current.version + 1 });
  }
  const [row] = await db.update(rules).set(patch).where(and(eq(rules.tenantId, tenantId), eq(rules.id, id))).returning();
  return ruleView(row!);
}

export async function deleteRule(db: DbOrTx, tenantId: string, id: string): Promise<void> {
  const deleted = await db.delete(rules).where(and(eq(rules.tenantId, tenantId), eq(rules.id, id))).returning({ id: rules.id });
  if (deleted.length === 0) throw new AppError("not_found", "rule not found");
}

/** Where a dry run gets its facts: a stored event of the tenant (loaded as the worker would), or a sample. */
export type SimulationSource = { event_id: string } | { sample: unknown };

async function factsFrom(db: DbOrTx, tenantId: string, source: SimulationSource): Promise<Facts> {
  if ("event_id" in source) {
    const [event] = await db.select().from(automationEvents).where(and(eq(automationEvents.tenantId, tenantId), eq(automationEvents.id, source.event_id)));
    if (!event) throw new AppError("not_found", "event not found", { path: "event_id" });
    const facts = await loadFacts(db, event);
    if (!facts) throw new AppError("validation_error", `rules do not listen to ${event.type} events`, { path: "event_id" });
    return facts;
  }
  const parsed = factsSchema.safeParse(source.sample);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new AppError("validation_error", `the sample is not valid: ${issue.path.join(".") || "$"}: ${issue.message}`, { path: `sample.${issue.path.join(".")}` });
  }
  return parsed.data as Facts;
}

/** A dry run: reads only. The saved rule (by id) or an unsaved definition, on a stored event or a sample. */
export async function simulateRule(db: DbOrTx, tenantId: string, target: { id: string } | { definition: unknown }, source: SimulationSource) {
  let ruleId: string | undefined;
  let definition: unknown;
  if ("id" in target) {
    const row = await ruleRow(db, tenantId, target.id);
    ruleId = row.id;
    definition = row.definition;
  } else definition = target.definition;
  const checked = await checkRule(db, tenantId, definition);
  if (!checked.ok) throw invalid("rule", checked.errors);
  const facts = await factsFrom(db, tenantId, source);
  return { event: { id: facts.event.id, type: facts.event.type, occurred_at: facts.event.occurred_at }, ...simulate(checked.rule, facts, { ruleId }) };
}

/** Recent events of the tenant that rules can listen to, to simulate against. */
export async function recentRuleEvents(db: DbOrTx, tenantId: string, options: { eventType?: string; limit?: number }) {
  const where: SQL[] = [eq(automationEvents.tenantId, tenantId), inArray(automationEvents.type, [...RULE_EVENT_TYPES])];
  if (options.eventType) where.push(eq(automationEvents.type, options.eventType));
  const rows = await db
    .select({ id: automationEvents.id, type: automationEvents.type, occurredAt: automationEvents.occurredAt, payload: automationEvents.payload })
    .from(automationEvents)
    .where(and(...where))
    .orderBy(sql`${automationEvents.occurredAt} desc`)
    .limit(options.limit ?? 20);
  return { items: rows.map((r) => ({ id: r.id, type: r.type, occurred_at: r.occurredAt.toISOString(), summary: summaryOf(r.payload as Record<string, unknown>) })) };
}

function summaryOf(payload: Record<string, unknown>): string {
  const text = payload.body ?? payload.title ?? payload.name ?? payload.status ?? null;
  return typeof text === "string" ? text.slice(0, 120) : "";
}

// ---- executions

export interface ExecutionFilters {
  ruleId?: string;
  flowId?: string;
  eventId?: string;
  matched?: boolean;
  cursor?: string;
  limit?: number;
}

export async function listExecutions(db: DbOrTx, tenantId: string, filters: ExecutionFilters) {
  const limit = filters.limit ?? DEFAULT_PAGE_SIZE;
  const cursor = decodeCursor(filters.cursor);
  const where: SQL[] = [eq(ruleExecutions.tenantId, tenantId)];
  if (filters.ruleId) where.push(eq(ruleExecutions.ruleId, filters.ruleId));
  if (filters.flowId) where.push(eq(ruleExecutions.flowId, filters.flowId));
  if (filters.eventId) where.push(eq(ruleExecutions.eventId, filters.eventId));
  if (filters.matched !== undefined) where.push(eq(ruleExecutions.matched, filters.matched));
  if (cursor) where.push(sql`(${ruleExecutions.createdAt}, ${ruleExecutions.id}) < (${cursor.at}::timestamptz, ${cursor.id}::uuid)`);
  const rows = await db
    .select({ row: ruleExecutions, cursorAt: cursorTimestamp(ruleExecutions.createdAt) })
    .from(ruleExecutions)
    .where(and(...where))
    .orderBy(sql`${ruleExecutions.createdAt} desc, ${ruleExecutions.id} desc`)
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map(({ row }) => ({
      id: row.id,
      rule_id: row.ruleId,
      flow_id: row.flowId,
      step: row.step,
      event_id: row.eventId,
      event_type: row.eventType,
      version: row.version,
      matched: row.matched,
      skipped: row.skipped,
      conditions: row.conditions,
      actions: row.actions as { type: string; outcome: "done" | "skipped" | "failed"; detail: string | null }[],
      errors: row.errors,
      chain_depth: row.chainDepth,
      root_event_id: row.rootEventId,
      created_at: row.createdAt.toISOString(),
    })),
    next_cursor: rows.length > limit && last ? encodeCursor(last.cursorAt, last.row.id) : null,
  };
}

// ---- flows

export async function listFlows(db: DbOrTx, tenantId: string) {
  const rows = await db.select().from(flows).where(eq(flows.tenantId, tenantId)).orderBy(flows.createdAt, flows.id);
  return { items: rows.map(flowView) };
}

async function flowRow(db: DbOrTx, tenantId: string, id: string): Promise<FlowRow> {
  const [row] = await db.select().from(flows).where(and(eq(flows.tenantId, tenantId), eq(flows.id, id)));
  if (!row) throw new AppError("not_found", "flow not found");
  return row;
}

export const getFlow = async (db: DbOrTx, tenantId: string, id: string) => flowView(await flowRow(db, tenantId, id));

export async function createFlow(db: DbOrTx, tenantId: string, userId: string | null, input: { name: string; enabled?: boolean; definition: unknown; source_prompt?: string | null }) {
  const checked = await checkFlow(db, tenantId, input.definition);
  if (!checked.ok) throw invalid("flow", checked.errors);
  const [row] = await db
    .insert(flows)
    .values({ tenantId, name: input.name, enabled: input.enabled ?? false, triggerEventType: checked.flow.event_type, definition: input.definition, compiled: checked.flow, sourcePrompt: input.source_prompt ?? null, createdByUserId: userId })
    .returning();
  return flowView(row!);
}

export async function updateFlow(db: DbOrTx, tenantId: string, id: string, input: { name?: string; enabled?: boolean; definition?: unknown }) {
  const current = await flowRow(db, tenantId, id);
  const patch: Partial<typeof flows.$inferInsert> = {};
  if (input.name !== undefined) patch.name = input.name;
  if (input.enabled !== undefined) patch.enabled = input.enabled;
  if (input.definition !== undefined) {
    const checked = await checkFlow(db, tenantId, input.definition);
    if (!checked.ok) throw invalid("flow", checked.errors);
    // A new version: steps already scheduled from the old plan do not run (the step job checks it).
    Object.assign(patch, { definition: input.definition, compiled: checked.flow, triggerEventType: checked.flow.event_type, version: current.version + 1 });
  }
  const [row] = await db.update(flows).set(patch).where(and(eq(flows.tenantId, tenantId), eq(flows.id, id))).returning();
  return flowView(row!);
}

export async function deleteFlow(db: DbOrTx, tenantId: string, id: string): Promise<void> {
  const deleted = await db.delete(flows).where(and(eq(flows.tenantId, tenantId), eq(flows.id, id))).returning({ id: flows.id });
  if (deleted.length === 0) throw new AppError("not_found", "flow not found");
}

export async function simulateFlowDefinition(db: DbOrTx, tenantId: string, definition: unknown, source: SimulationSource) {
  const checked = await checkFlow(db, tenantId, definition);
  if (!checked.ok) throw invalid("flow", checked.errors);
  const facts = await factsFrom(db, tenantId, source);
  return simulateFlow(checked.flow, facts);
}

/**
 * Who flow-from-text may name: each active user by name, and each role as a group ("support" for
 * the agents, "managers", "admins"; "agents" alone is a filler word to the matcher, and "any online
 * agent" is round robin already).
 */
export async function assigneeDirectory(db: DbOrTx, tenantId: string) {
  const { rows } = await db.execute<{ user_id: string; name: string; role: string }>(
    sql`select m.user_id, u.name, m.role from memberships m join users u on u.id = m.user_id where m.tenant_id = ${tenantId} and m.deactivated_at is null order by u.name`,
  );
  const byRole = (role: string) => rows.filter((r) => r.role === role).map((r) => r.user_id);
  const groups = [
    { name: "support", aliases: ["suporte", "atendimento", "atendentes"], user_ids: byRole("agent") },
    { name: "managers", aliases: ["gerentes", "gestores"], user_ids: byRole("manager") },
    { name: "admins", aliases: ["administradores"], user_ids: byRole("admin") },
  ].filter((g) => g.user_ids.length > 0);
  return { entries: [...rows.map((r) => ({ name: r.name, user_ids: [r.user_id] })), ...groups] };
}
