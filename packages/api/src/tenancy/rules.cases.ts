import { createFlow, createRule, createTask, newScope, runRulesOnEvent } from "@alfred/crm";
import { eq, schema } from "@alfred/db";
import type { TenancyCases } from "./cases";
import { tableSnapshot } from "./cases";

const ruleDefinition = { version: 1, trigger: { kind: "event", type: "task.created" }, actions: [{ type: "notify_users", params: { to: { role: "admin" }, title: "New task: {{event.title}}" } }] };
const flowDefinition = { version: 1, trigger: { kind: "event", type: "task.created" }, steps: [{ wait: "1h", actions: [{ type: "notify_users", params: { to: { role: "admin" }, title: "An hour later" } }] }] };

/** Rules, flows and their execution log. The victim's rule has run once on one of its events. */
export const rulesCases: TenancyCases = {
  domain: "rules",
  seed: async (h, victim) => {
    const tenantId = victim.admin.tenantId;
    const rule = await createRule(h.deps.db, tenantId, victim.admin.userId, { name: "Victim rule", definition: ruleDefinition });
    const flow = await createFlow(h.deps.db, tenantId, victim.admin.userId, { name: "Victim flow", definition: flowDefinition });
    const task = await h.deps.db.transaction((tx) => createTask(tx, newScope(tenantId, { type: "user", id: victim.admin.userId }), { title: "victim's task" }));
    const [event] = await h.deps.db.select().from(schema.automationEvents).where(eq(schema.automationEvents.sourceEventId, `task.created:${task.id}`));
    await runRulesOnEvent(h.deps.db, event!);
    return { rule: rule.id, flow: flow.id, event: event!.id };
  },
  snapshot: (h, victim) => tableSnapshot(h, victim.admin.tenantId, ["rules", "flows", "rule_executions", "notifications"]),
  procedures: [
    { name: "rules.get", call: (c, v) => c.rules.get({ id: v.rule! }) },
    { name: "rules.update", call: (c, v) => c.rules.update({ id: v.rule!, enabled: false }) },
    { name: "rules.update (definition)", call: (c, v) => c.rules.update({ id: v.rule!, definition: ruleDefinition }) },
    { name: "rules.delete", call: (c, v) => c.rules.delete({ id: v.rule! }) },
    { name: "rules.simulate", call: (c, v) => c.rules.simulate({ id: v.rule!, event_id: v.event! }) },
    { name: "rules.simulateDraft (victim's event)", call: (c, v) => c.rules.simulateDraft({ definition: ruleDefinition, event_id: v.event! }) },
    { name: "rules.executions (victim's rule)", call: (c, v) => c.rules.executions({ rule_id: v.rule! }) },
    { name: "rules.executions (victim's flow)", call: (c, v) => c.rules.executions({ flow_id: v.flow! }) },
    { name: "flows.get", call: (c, v) => c.flows.get({ id: v.flow! }) },
    { name: "flows.update", call: (c, v) => c.flows.update({ id: v.flow!, enabled: true }) },
    { name: "flows.delete", call: (c, v) => c.flows.delete({ id: v.flow! }) },
    { name: "flows.simulate (victim's event)", call: (c, v) => c.flows.simulate({ definition: flowDefinition, event_id: v.event! }) },
  ],
  routes: [
    { name: "GET /rules/{id}", method: "GET", path: (v) => `/rules/${v.rule}` },
    { name: "PATCH /rules/{id}", method: "PATCH", path: (v) => `/rules/${v.rule}`, body: () => ({ enabled: false }) },
    { name: "DELETE /rules/{id}", method: "DELETE", path: (v) => `/rules/${v.rule}` },
    { name: "POST /rules/{id}/simulate", method: "POST", path: (v) => `/rules/${v.rule}/simulate`, body: (v) => ({ event_id: v.event }) },
    { name: "POST /rules/simulate (victim's event)", method: "POST", path: () => `/rules/simulate`, body: (v) => ({ definition: ruleDefinition, event_id: v.event }) },
    { name: "GET /rules/executions?rule_id", method: "GET", path: (v) => `/rules/executions?rule_id=${v.rule}` },
    { name: "GET /flows/{id}", method: "GET", path: (v) => `/flows/${v.flow}` },
    { name: "PATCH /flows/{id}", method: "PATCH", path: (v) => `/flows/${v.flow}`, body: () => ({ name: "pwned" }) },
    { name: "DELETE /flows/{id}", method: "DELETE", path: (v) => `/flows/${v.flow}` },
    { name: "POST /flows/simulate (victim's event)", method: "POST", path: () => `/flows/simulate`, body: (v) => ({ definition: flowDefinition, event_id: v.event }) },
  ],
  views: [
    { name: "rules.list", call: (c) => c.rules.list() },
    { name: "flows.list", call: (c) => c.flows.list() },
    { name: "rules.executions", call: (c) => c.rules.executions({}) },
    { name: "rules.recentEvents", call: (c) => c.rules.recentEvents({}) },
  ],
};
