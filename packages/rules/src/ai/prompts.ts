import { z } from "zod";
import { ACTION_PARAMS, ACTION_TYPES } from "../definition/actions";
import { OPERATORS } from "../definition/conditions";
import { fieldsFor } from "../definition/fields";
import { INTENTS, LANGUAGES, RULE_EVENT_TYPES, SCHEDULED_EVENT_TYPES, SENTIMENTS } from "../vocabulary";
import type { AssigneeDirectory } from "./provider";

/** How much of a message a model sees: classification needs the gist, not a whole e-mail thread. */
export const MAX_CLASSIFY_INPUT = 4000;

export const CLASSIFY_SYSTEM_PROMPT = [
  "You classify one customer message sent to a business's customer-service inbox.",
  `Answer with a JSON object only: {"intent": one of ${INTENTS.join("|")}, "sentiment": one of ${SENTIMENTS.join("|")}, "language": one of ${LANGUAGES.join("|")}, "confidence": a number from 0 to 1}.`,
  "purchase_intent: wants to buy, or asks about prices, payment, stock or availability. question: any other question.",
  "complaint: dissatisfaction, a problem, a delay, a refund. spam: unsolicited promotion, scams, links to unknown sites.",
  "greeting: only a greeting. other: anything else. language: the language the message is written in.",
].join("\n");

/** Each action's parameters as JSON Schema, generated from the same zod schemas compile uses. */
function actionSchemas(): string[] {
  return ACTION_TYPES.map((type) => {
    const { $schema: _dialect, ...schema } = z.toJSONSchema(ACTION_PARAMS[type], { io: "input", unrepresentable: "any" }) as Record<string, unknown>;
    return `- ${type}: ${JSON.stringify(schema)}`;
  });
}

/** The flow format, the fields of each event type and the tenant's people, for a model to write a flow. */
export function flowSystemPrompt(directory: AssigneeDirectory): string {
  const fields = RULE_EVENT_TYPES.map((type) => `- ${type}: ${fieldsFor(type).map((f) => f.path).join(", ")}`);
  const people = directory.entries.map((entry) => `- ${entry.name}${entry.aliases?.length ? ` (also: ${entry.aliases.join(", ")})` : ""}: ${JSON.stringify(entry.user_ids)}`);
  return [
    "You turn an administrator's instruction into an automation flow for a customer-service inbox.",
    'Answer with a JSON object only: {"flow": <flow>, "understood": [short sentences]} or, when the instruction cannot be expressed, {"not_understood": "<what is missing and how to rephrase>", "understood": [...]}.',
    'A flow: {"version": 1, "trigger": {"kind": "event", "type": <event type>} or {"kind": "schedule", "type": <scheduled type>}, "conditions"?: <condition>, "steps": [{"wait"?: duration, "conditions"?: <condition>, "actions": [{"type", "params"}]}]}.',
    `Event types: ${RULE_EVENT_TYPES.join(", ")}. Scheduled types: ${SCHEDULED_EVENT_TYPES.join(", ")}.`,
    `A condition: {"all": [conditions]} or {"any": [conditions]} or {"path", "op", "value"}; ops: ${OPERATORS.join(", ")}. contains ignores case and accents.`,
    "Durations: \"30m\", \"2h\", \"1d\", \"1w\". Texts may use variables such as {{contact.name | fallback}}.",
    "Fields by event type:",
    ...fields,
    "Actions and the JSON Schema of their params:",
    ...actionSchemas(),
    "People and groups (use only these user ids; never invent one):",
    ...(people.length ? people : ["- (none)"]),
  ].join("\n");
}
