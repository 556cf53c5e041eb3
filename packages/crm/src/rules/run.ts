import { PostCommitEffects, type FlowStepJob } from "@alfred/automation";
import { and, eq, sql, type Database, type DbOrTx } from "@alfred/db";
import { automationEvents, flows, ruleExecutions, rules } from "@alfred/db/schema";
import { evaluate, evaluateFlowStart, evaluateFlowStep, executionFor, type CompiledRule, type Evaluation, type ExecutionContext, type FlowPlan, type ResolvedAction } from "@alfred/rules";
import type { Scope } from "../scope";
import { runAction, type ActionOutcome } from "./act";
import { loadFacts, type EventRow } from "./facts";

/** What evaluating one event did: post-commit work, and the flow steps to schedule. */
export interface EventRun {
  effects: PostCommitEffects;
  flowSteps: { job: FlowStepJob; runAt: Date }[];
  executions: number;
}

type FlowRow = typeof flows.$inferSelect;

/**
 * Evaluates the tenant's enabled rules and flows listening to this event. Each rule runs in its own
 * transaction that first inserts its execution row: the unique (rule, event) key makes a second
 * worker (or a retry after a crash) find the row and do nothing, so a rule acts once per event.
 * Actions run in the chain the event belongs to (`origin`), so a rule never re-triggers itself.
 */
export async function runRulesOnEvent(db: Database, event: EventRow): Promise<EventRun> {
  const run: EventRun = { effects: new PostCommitEffects(), flowSteps: [], executions: 0 };
  const ruleRows = await db
    .select()
    .from(rules)
    .where(and(eq(rules.tenantId, event.tenantId), eq(rules.eventType, event.type), eq(rules.enabled, true)))
    .orderBy(rules.createdAt, rules.id);
  const flowRows = await db
    .select()
    .from(flows)
    .where(and(eq(flows.tenantId, event.tenantId), eq(flows.triggerEventType, event.type), eq(flows.enabled, true)))
    .orderBy(flows.createdAt, flows.id);
  // Most events of most tenants have nothing listening: the records are read only when something is.
  if (ruleRows.length === 0 && flowRows.length === 0) return run;
  const facts = await loadFacts(db, event);
  if (!facts) return run;
  const execution = executionFor(event.id, event.origin);
  for (const rule of ruleRows) {
    const evaluation = evaluate({ id: rule.id, compiled: rule.compiled as CompiledRule }, facts, execution);
    if (await logAndAct(db, event, { ruleId: rule.id, version: rule.version }, evaluation, execution, run.effects)) run.executions++;
  }
  for (const flow of flowRows) await startFlow(db, event, flow, facts, execution, run);
  return run;
}

async function startFlow(db: Database, event: EventRow, flow: FlowRow, facts: NonNullable<Awaited<ReturnType<typeof loadFacts>>>, execution: ExecutionContext, run: EventRun) {
  const start = evaluateFlowStart({ id: flow.id, plan: flow.compiled as FlowPlan }, facts, execution);
  const inserted = await db
    .insert(ruleExecutions)
    .values({
      tenantId: event.tenantId,
      flowId: flow.id,
      step: null,
      eventId: event.id,
      eventType: event.type,
      version: flow.version,
      matched: start.matched,
      skipped: start.skipped,
      conditions: start.conditions,
      actions: start.steps.map((s) => ({ type: "schedule_step", outcome: "done", detail: `step ${s.index + 1} due ${s.run_at}` })),
      chainDepth: execution.depth,
      rootEventId: execution.root_event_id,
    })
    .onConflictDoNothing()
    .returning({ id: ruleExecutions.id });
  if (inserted.length === 0) return;
  run.executions++;
  // Each step's job carries the chain the trigger event was in; the step's actions add the flow to it.
  for (const step of start.steps) {
    run.flowSteps.push({
      job: { tenant_id: event.tenantId, flow_id: flow.id, version: flow.version, event_id: event.id, step: step.index, execution, correlation_id: event.correlationId ?? undefined },
      runAt: new Date(step.run_at),
    });
  }
}

/**
 * One step of a flow when its job is due: the flow must still be enabled and at the version it
 * started with; the step's conditions are checked on facts loaded now.
 */
export async function runFlowStep(db: Database, job: FlowStepJob): Promise<{ effects: PostCommitEffects; outcome: "ran" | "already_ran" | "gone" }> {
  const effects = new PostCommitEffects();
  const [flow] = await db.select().from(flows).where(and(eq(flows.tenantId, job.tenant_id), eq(flows.id, job.flow_id)));
  const [event] = await db.select().from(automationEvents).where(and(eq(automationEvents.tenantId, job.tenant_id), eq(automationEvents.id, job.event_id)));
  if (!flow || !event) return { effects, outcome: "gone" };
  const facts = await loadFacts(db, event);
  if (!facts) return { effects, outcome: "gone" };
  const execution = job.execution;
  if (!flow.enabled || flow.version !== job.version) {
    const why = !flow.enabled ? "the flow was disabled" : "the flow was changed after it started";
    const done = await logAndAct(db, event, { flowId: flow.id, step: job.step, version: job.version }, NOT_RUN, execution, effects, [why]);
    return { effects, outcome: done ? "ran" : "already_ran" };
  }
  const evaluation = evaluateFlowStep({ id: flow.id, plan: flow.compiled as FlowPlan }, job.step, facts, execution);
  const done = await logAndAct(db, event, { flowId: flow.id, step: job.step, version: flow.version }, evaluation, execution, effects);
  return { effects, outcome: done ? "ran" : "already_ran" };
}

/** What a rule or step did, as logged. */
type Outcome = Pick<Evaluation, "matched" | "skipped" | "conditions" | "actions">;
const NOT_RUN: Outcome = { matched: false, skipped: null, conditions: [], actions: [] };

type Subject = { ruleId: string; version: number } | { flowId: string; step: number; version: number };

/** Inserts the execution row and, when this worker is the first, runs the actions in the same transaction. */
async function logAndAct(db: Database, event: EventRow, subject: Subject, evaluation: Outcome, execution: ExecutionContext, effects: PostCommitEffects, notes: string[] = []): Promise<boolean> {
  // The same row whether the actions ran or the transaction failed; only its errors differ.
  const executionRow = (errors: string[]) => ({
    tenantId: event.tenantId,
    ruleId: "ruleId" in subject ? subject.ruleId : null,
    flowId: "flowId" in subject ? subject.flowId : null,
    step: "step" in subject ? subject.step : null,
    eventId: event.id,
    eventType: event.type,
    version: subject.version,
    matched: evaluation.matched,
    skipped: evaluation.skipped,
    conditions: evaluation.conditions,
    errors,
    chainDepth: execution.depth,
    rootEventId: execution.root_event_id,
  });
  const scopeEffects = new PostCommitEffects();
  let ran = false;
  try {
    ran = await db.transaction(async (tx) => {
      const [row] = await tx
        .insert(ruleExecutions)
        .values(executionRow(notes))
        .onConflictDoNothing()
        .returning({ id: ruleExecutions.id });
      if (!row) return false;
      if (!evaluation.matched) return true;
      const outcomes = await runActions(tx, event, evaluation.actions, scopeEffects);
      const errors = outcomes.filter((o) => o.outcome === "failed").map((o) => `${o.type}: ${o.detail}`);
      await tx.update(ruleExecutions).set({ actions: outcomes, errors }).where(eq(ruleExecutions.id, row.id));
      return true;
    });
  } catch (err) {
    // Something other than an action's refusal (the database): log it as the execution, with no actions.
    const message = err instanceof Error ? err.message.slice(0, 500) : String(err);
    const [row] = await db
      .insert(ruleExecutions)
      .values(executionRow([`the actions could not run: ${message}`]))
      .onConflictDoNothing()
      .returning({ id: ruleExecutions.id });
    return Boolean(row);
  }
  if (ran) {
    effects.absorb(scopeEffects);
  }
  return ran;
}

async function runActions(tx: DbOrTx, event: EventRow, actions: ResolvedAction[], effects: PostCommitEffects): Promise<ActionOutcome[]> {
  const outcomes: ActionOutcome[] = [];
  for (const action of actions) {
    const scope: Scope = { tenantId: event.tenantId, actor: { type: "system", id: null }, correlationId: event.correlationId, effects, origin: action.origin };
    outcomes.push(await runAction(tx, scope, action));
  }
  return outcomes;
}

/** Claimed events not evaluated yet, oldest first; `FOR UPDATE SKIP LOCKED` and a lease, as deliveries. */
export async function claimEventsForRules(db: Database, options: { limit: number; leaseMs: number }): Promise<EventRow[]> {
  const { rows } = await db.execute<{ id: string }>(sql`
    with due as (
      select id from ${automationEvents}
      where rules_done_at is null and (rules_locked_until is null or rules_locked_until < now())
      order by created_at
      limit ${options.limit}
      for update skip locked
    )
    update ${automationEvents} e set rules_locked_until = now() + ${options.leaseMs} * interval '1 millisecond'
    from due where e.id = due.id
    returning e.id`);
  if (rows.length === 0) return [];
  const events = await db
    .select()
    .from(automationEvents)
    .where(sql`${automationEvents.id} = any(${sql.param(rows.map((r) => r.id))}::uuid[])`)
    .orderBy(automationEvents.createdAt);
  return events;
}

export async function markEventsEvaluated(db: Database, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.update(automationEvents).set({ rulesDoneAt: sql`now()`, rulesLockedUntil: null }).where(sql`${automationEvents.id} = any(${sql.param(ids)}::uuid[])`);
}
