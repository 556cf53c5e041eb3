import { z } from "zod";
import { createTRPCRouter, roleProcedure, tenantProcedure } from "../../trpc";
import * as h from "./rules.handler";
import {
  createFlowInput,
  createRuleInput,
  executionPage,
  flowSimulationOutput,
  flowValidationOutput,
  flowView,
  fromTextInput,
  fromTextOutput,
  listExecutionsInput,
  recentEventsInput,
  recentEventsOutput,
  ruleIdInput,
  ruleValidationOutput,
  ruleView,
  simulateDraftInput,
  simulateRuleInput,
  simulationOutput,
  updateFlowInput,
  updateRuleInput,
  validateInput,
} from "./rules.schema";

const admin = roleProcedure("admin");
/** Dry runs and checks write nothing: any signed-in user may run them (and they leave no audit row). */
const reader = tenantProcedure.meta({ audit: false });

/** Rules and flows: everyone in the workspace reads them and their executions; admins change them. */
export const rulesRouter = createTRPCRouter({
  list: tenantProcedure
    .meta({ openapi: { method: "GET", path: "/rules", tags: ["rules"], summary: "The workspace's rules", protect: true } })
    .input(z.void())
    .output(z.object({ items: z.array(ruleView) }))
    .query(h.listRulesHandler),
  get: tenantProcedure
    .meta({ openapi: { method: "GET", path: "/rules/{id}", tags: ["rules"], summary: "One rule", protect: true } })
    .input(ruleIdInput)
    .output(ruleView)
    .query(h.getRuleHandler),
  create: admin
    .meta({ openapi: { method: "POST", path: "/rules", tags: ["rules"], summary: "Create a rule (compiled first: 422 with the JSON path of each problem)", protect: true }, rest: { status: 201 } })
    .input(createRuleInput)
    .output(ruleView)
    .mutation(h.createRuleHandler),
  update: admin
    .meta({ openapi: { method: "PATCH", path: "/rules/{id}", tags: ["rules"], summary: "Rename, enable or disable, or replace the definition (a new version)", protect: true } })
    .input(updateRuleInput)
    .output(ruleView)
    .mutation(h.updateRuleHandler),
  delete: admin
    .meta({ openapi: { method: "DELETE", path: "/rules/{id}", tags: ["rules"], summary: "Delete a rule and its execution log", protect: true }, rest: { status: 204 } })
    .input(ruleIdInput)
    .output(z.void())
    .mutation(h.deleteRuleHandler),
  validate: reader
    .meta({ openapi: { method: "POST", path: "/rules/validate", tags: ["rules"], summary: "Compile a definition: every problem with its JSON path (nothing is saved)", protect: true } })
    .input(validateInput)
    .output(ruleValidationOutput)
    .mutation(h.validateRuleHandler),
  simulate: reader
    .meta({ openapi: { method: "POST", path: "/rules/{id}/simulate", tags: ["rules"], summary: "Dry run of a saved rule on a stored event or a sample: what matched, what would run. Nothing is written", protect: true } })
    .input(simulateRuleInput)
    .output(simulationOutput)
    .mutation(h.simulateRuleHandler),
  simulateDraft: reader
    .meta({ openapi: { method: "POST", path: "/rules/simulate", tags: ["rules"], summary: "Dry run of an unsaved definition (the editor's 'simulate before saving'). Nothing is written", protect: true } })
    .input(simulateDraftInput)
    .output(simulationOutput)
    .mutation(h.simulateDraftHandler),
  executions: tenantProcedure
    .meta({ openapi: { method: "GET", path: "/rules/executions", tags: ["rules"], summary: "Execution log of rules and flows, newest first (filter by rule, flow, event, matched; 404 for a rule or flow not in the workspace)", protect: true, errorResponses: [404] } })
    .input(listExecutionsInput)
    .output(executionPage)
    .query(h.listExecutionsHandler),
  recentEvents: tenantProcedure
    .meta({ openapi: { method: "GET", path: "/rules/recent-events", tags: ["rules"], summary: "Recent events rules can listen to, to simulate against", protect: true } })
    .input(recentEventsInput)
    .output(recentEventsOutput)
    .query(h.recentEventsHandler),
});

export const flowsRouter = createTRPCRouter({
  list: tenantProcedure
    .meta({ openapi: { method: "GET", path: "/flows", tags: ["rules"], summary: "The workspace's flows", protect: true } })
    .input(z.void())
    .output(z.object({ items: z.array(flowView) }))
    .query(h.listFlowsHandler),
  get: tenantProcedure
    .meta({ openapi: { method: "GET", path: "/flows/{id}", tags: ["rules"], summary: "One flow with its compiled plan", protect: true } })
    .input(ruleIdInput)
    .output(flowView)
    .query(h.getFlowHandler),
  create: admin
    .meta({ openapi: { method: "POST", path: "/flows", tags: ["rules"], summary: "Create a flow (disabled unless enabled is true); 422 with JSON paths when it does not compile", protect: true }, rest: { status: 201 } })
    .input(createFlowInput)
    .output(flowView)
    .mutation(h.createFlowHandler),
  update: admin
    .meta({ openapi: { method: "PATCH", path: "/flows/{id}", tags: ["rules"], summary: "Rename, enable or disable, or replace the definition (steps already scheduled from the old version do not run)", protect: true } })
    .input(updateFlowInput)
    .output(flowView)
    .mutation(h.updateFlowHandler),
  delete: admin
    .meta({ openapi: { method: "DELETE", path: "/flows/{id}", tags: ["rules"], summary: "Delete a flow", protect: true }, rest: { status: 204 } })
    .input(ruleIdInput)
    .output(z.void())
    .mutation(h.deleteFlowHandler),
  validate: reader
    .meta({ openapi: { method: "POST", path: "/flows/validate", tags: ["rules"], summary: "Validate and compile a flow: the plan, or every problem with its JSON path", protect: true } })
    .input(validateInput)
    .output(flowValidationOutput)
    .mutation(h.validateFlowHandler),
  simulate: reader
    .meta({ openapi: { method: "POST", path: "/flows/simulate", tags: ["rules"], summary: "Dry run of a flow definition: whether it starts and each step on today's facts. Nothing is written", protect: true } })
    .input(simulateDraftInput)
    .output(flowSimulationOutput)
    .mutation(h.simulateFlowHandler),
  fromText: admin
    .meta({
      openapi: { method: "POST", path: "/flows/from-text", tags: ["rules"], summary: "Natural language -> a compiled flow to review (not saved); ok false with what was understood otherwise. Local heuristic unless AI_BASE_URL is set", protect: true },
      audit: false,
    })
    .input(fromTextInput)
    .output(fromTextOutput)
    .mutation(h.fromTextHandler),
});
