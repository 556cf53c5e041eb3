export * from "./vocabulary";

export { ACTION_PARAMS, ACTION_TYPES, actsOn, type ActionOf, type ActionType, type CompiledAction } from "./definition/actions";
export { MAX_CONDITIONS, MAX_GROUP_DEPTH, OPERATORS, type CompiledCondition, type CompiledTest, type Operator, type Scalar } from "./definition/conditions";
export { DEFINITION_VERSION, MAX_ACTIONS, type Trigger } from "./definition/document";
export { describeDuration, parseDuration } from "./definition/duration";
export { fieldsFor, lookupField, payloadFields, recordsFor, type FieldType, type RecordName } from "./definition/fields";
export { compileFlow, validateFlow, MAX_FLOW_SECONDS, MAX_STEPS, MAX_WAIT_SECONDS, type FlowCompilation, type FlowPlan, type FlowPlanStep } from "./definition/flow";
export { formatPath, type Problem } from "./definition/problems";
export { compileRule, type CompiledRule, type RuleCompilation } from "./definition/rule";
export { renderTemplate, templateVariables } from "./definition/templates";
export type { ActionInput, ConditionInput, FlowDefinition, FlowStepInput, RuleDefinition, TriggerInput } from "./definition/written";

export type { ResolvedAction } from "./engine/actions";
export { chainVerdict, executionFor, MAX_CHAIN_DEPTH, originFor, rootExecution, type ActionOrigin, type ExecutionContext } from "./engine/chain";
export type { ConditionTrace, TestOutcome } from "./engine/conditions";
export { evaluate, evaluateFlowStart, evaluateFlowStep, type Evaluation, type FlowRef, type RuleRef, type SkipReason } from "./engine/evaluate";
export { factsSchema, readPath, type Facts } from "./engine/facts";
export { simulate, simulateFlow, UNSAVED_ID, type FlowSimulation, type Simulation } from "./engine/simulate";

export { compileSafeRegex, RegexSyntaxError } from "./safe-regex";

export { type ChatClientConfig, type JsonPoster } from "./ai/chat-completions";
export { AI_ENV_SHAPE, createAiProvider, type AiEnv } from "./ai/config";
export { resolveAssignee, usersOutsideDirectory } from "./ai/directory";
export { AiProviderError, isAiProviderError, type AiErrorKind } from "./ai/errors";
export { instrumentProvider, type AiCallRecord } from "./ai/instrument";
export { applyLeadScoreChange, clampLeadScore, INTENT_POINTS, leadScoreFromClassification, MIN_SCORING_CONFIDENCE, SENTIMENT_POINTS, type LeadScoreChange } from "./ai/lead-score";
export { classifyLocally } from "./ai/local/classify";
export { MAX_INSTRUCTION_LENGTH } from "./ai/local/flow-from-text";
export { createLocalProvider, LOCAL_PROVIDER_LABEL } from "./ai/local/provider";
export { createOpenAiCompatibleProvider } from "./ai/openai-compatible";
export { classificationSchema, type AiProvider, type AiProviderName, type AssigneeDirectory, type Classification, type FlowFromTextInput, type FlowFromTextResult } from "./ai/provider";
