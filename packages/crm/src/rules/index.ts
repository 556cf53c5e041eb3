export { loadFacts, type EventRow } from "./facts";
export { runAction, type ActionOutcome } from "./act";
export { claimEventsForRules, markEventsEvaluated, runFlowStep, runRulesOnEvent, type EventRun } from "./run";
export { DEFAULT_RULE_ENGINE_OPTIONS, RuleEngine, type RuleEngineOptions } from "./engine";
export {
  assigneeDirectory,
  checkFlow,
  checkRule,
  createFlow,
  createRule,
  deleteFlow,
  deleteRule,
  flowView,
  getFlow,
  getRule,
  listExecutions,
  listFlows,
  listRules,
  recentRuleEvents,
  ruleView,
  simulateFlowDefinition,
  simulateRule,
  updateFlow,
  updateRule,
  type ExecutionFilters,
  type SimulationSource,
} from "./definitions";
