import type { Operator } from "../definition/conditions";
import type { ResolvedAction } from "./actions";
import type { TestOutcome } from "./conditions";

/** Plain-English sentences for the simulate view; the structured fields stay beside them. */
const OPERATOR_WORDS: Record<Operator, string> = {
  equals: "is",
  not_equals: "is not",
  contains: "contains",
  in: "is one of",
  gt: "is greater than",
  gte: "is at least",
  lt: "is less than",
  lte: "is at most",
  is_set: "is set",
  matches: "matches the pattern",
};

const quote = (value: unknown) => JSON.stringify(value);

export function describeTest(outcome: TestOutcome): string {
  const words = outcome.op === "is_set" && outcome.expected === false ? "is not set" : OPERATOR_WORDS[outcome.op];
  const expected = outcome.op === "is_set" ? "" : ` ${Array.isArray(outcome.expected) ? outcome.expected.map(quote).join(", ") : quote(outcome.expected)}`;
  const folding = outcome.ignore_case_and_accents ? " (ignoring case and accents)" : "";
  const actual = outcome.actual === null ? "it is missing" : `it is ${quote(outcome.actual)}`;
  return `${outcome.path} ${words}${expected}${folding}: ${actual}, so ${outcome.result ? "yes" : "no"}`;
}

export function describeAction(action: ResolvedAction): string {
  const sentence = actionSentence(action);
  return action.skipped ? `${sentence} (skipped: ${action.skipped})` : sentence;
}

function describeAssignee(assignee: "conversation_assignee" | "none" | { user_id: string }): string {
  if (assignee === "none") return "unassigned";
  if (assignee === "conversation_assignee") return "assigned to whoever has the conversation by then";
  return `assigned to user ${assignee.user_id}`;
}

function actionSentence({ type, params: p }: ResolvedAction): string {
  switch (type) {
    case "assign_agent":
      return `Assign the conversation to user ${p.user_id}`;
    case "assign_round_robin":
      return p.among === "online_agents" ? "Assign the conversation to the next online agent (round robin)" : `Assign the conversation to the next of ${(p.among as string[]).length} agents (round robin)`;
    case "set_status":
      return `Set the conversation's status to ${p.status}${p.snoozed_until ? ` until ${p.snoozed_until}` : ""}`;
    case "set_priority":
      return `Set the conversation's priority to ${p.priority}`;
    case "add_label":
      return `Add the label ${quote(p.label)}`;
    case "send_message":
      return `Send the message ${quote(p.text)}`;
    case "add_internal_comment":
      return `Add the internal comment ${quote(p.text)}`;
    case "create_task":
      return `Create the task ${quote(p.title)}${p.due_at ? `, due ${p.due_at}` : ""}, ${describeAssignee(p.assignee as "conversation_assignee" | "none" | { user_id: string })}`;
    case "update_contact":
      return `Update the contact: ${Object.entries(p.fields as Record<string, unknown>).map(([key, value]) => `${key} = ${quote(value)}`).join(", ")}`;
    case "change_lead_score": {
      const change = p.previous_score === null ? "" : ` (${p.previous_score} -> ${p.score})`;
      return "set" in p ? `Set the lead score to ${p.set}${change}` : `Change the lead score by ${(p.delta as number) > 0 ? "+" : ""}${p.delta}${change}`;
    }
    case "notify_users": {
      const to = p.to as { role?: string; user_ids?: string[] };
      return `Notify ${to.role ? `every ${to.role}` : `${to.user_ids!.length} user(s)`}: ${quote(p.title)}`;
    }
    case "emit_to_destination":
      return `Send event ${p.event_id} to destination ${p.destination_id}`;
  }
}
