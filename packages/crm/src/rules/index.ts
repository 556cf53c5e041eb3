export { loadFacts, type EventRow } from "./facts";
export { runAction, type ActionOutcome } from "./act";
export { claimEventsForRules, markEventsEvaluated, runFlowStep, runRulesOnEvent, type EventRun } from "./run";
export { DEFAULT_RULE_ENGINE_OPTIONS, RuleEngine, type RuleEngineOptions } from "./engine";
