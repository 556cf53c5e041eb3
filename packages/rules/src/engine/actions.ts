import { applyLeadScoreChange } from "../ai/lead-score";
import { actsOn, type ActionType, type CompiledAction } from "../definition/actions";
import { renderTemplate } from "../definition/templates";
import type { ActionOrigin } from "./chain";
import { readPath, type Facts } from "./facts";

/** An action with its parameters resolved against the facts: what the worker executes as is. */
export interface ResolvedAction {
  type: ActionType;
  params: Record<string, unknown>;
  origin: ActionOrigin;
  /** Why the action cannot run on these facts (e.g. a task event without a conversation); null when it can. */
  skipped: string | null;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** `at` is when the action runs: the event time, plus the step's offset in a flow (so results are reproducible). */
export function resolveAction(action: CompiledAction, facts: Facts, origin: ActionOrigin, at: number): ResolvedAction {
  const read = (path: string) => readPath(facts, path);
  const targets = { conversationId: idOf(read("conversation.id") ?? read("event.conversation_id")), contactId: idOf(read("contact.id") ?? read("event.contact_id")) };
  const { params, skipped } = resolveParams(action, facts, targets, at);
  const target = actsOn(action.type);
  const missing = target === "conversation" && !targets.conversationId ? "this event has no conversation" : target === "contact" && !targets.contactId ? "this event has no contact" : null;
  return { type: action.type, params, origin, skipped: missing ?? skipped };
}

function resolveParams(action: CompiledAction, facts: Facts, { conversationId, contactId }: { conversationId: string | null; contactId: string | null }, at: number): { params: Record<string, unknown>; skipped: string | null } {
  const read = (path: string) => readPath(facts, path);
  const render = (template: string) => renderTemplate(template, read);
  const runs = (params: Record<string, unknown>, skipped: string | null = null) => ({ params, skipped });

  switch (action.type) {
    case "assign_agent":
    case "assign_round_robin":
    case "set_priority":
    case "add_label":
      return runs({ conversation_id: conversationId, ...action.params });
    case "set_status": {
      const { status, snooze_seconds } = action.params;
      return runs({ conversation_id: conversationId, status, snoozed_until: snooze_seconds === null ? null : iso(at + snooze_seconds * 1000) });
    }
    case "send_message":
    case "add_internal_comment": {
      const text = render(action.params.text).trim();
      return runs({ conversation_id: conversationId, text }, text ? null : "the text is empty once its variables are filled");
    }
    case "create_task": {
      const { title, description, due_in_seconds, assignee } = action.params;
      const rendered = render(title).trim();
      return runs(
        {
          title: rendered,
          description: description === null ? null : render(description),
          due_at: due_in_seconds === null ? null : iso(at + due_in_seconds * 1000),
          // "conversation_assignee" is read when the task is created, after the actions before it
          // ran: "assign to sales, then create a task" gives the task to whoever got the conversation.
          assignee,
          conversation_id: conversationId,
          contact_id: contactId,
        },
        rendered ? null : "the title is empty once its variables are filled",
      );
    }
    case "update_contact": {
      const { attributes, ...texts } = action.params.fields;
      const fields: Record<string, unknown> = Object.fromEntries(Object.entries(texts).map(([key, value]) => [key, render(value)]));
      if (attributes) fields.attributes = attributes;
      return runs({ contact_id: contactId, fields });
    }
    case "change_lead_score": {
      const current = read("contact.lead_score");
      const change = typeof current === "number" ? applyLeadScoreChange(current, action.params, "rule") : null;
      return runs({ contact_id: contactId, ...action.params, previous_score: change?.previous_score ?? null, score: change?.score ?? null });
    }
    case "notify_users":
      return runs({ to: action.params.to, title: render(action.params.title) });
    case "emit_to_destination":
      return runs({ destination_id: action.params.destination_id, event_id: facts.event.id });
  }
}

function idOf(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}
