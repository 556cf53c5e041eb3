import { Property } from "@activepieces/pieces-framework";
import { callbackAction } from "./callback-action";

export const createTask = callbackAction({
  name: "create_task",
  action: "create_task",
  displayName: "Create task",
  description: "Creates a task in Alfred, optionally on a conversation or contact and for an assignee.",
  props: {
    title: Property.ShortText({ displayName: "Title", required: true }),
    description: Property.LongText({ displayName: "Description", required: false }),
    due_at: Property.DateTime({ displayName: "Due at", required: false }),
    conversation_id: Property.ShortText({ displayName: "Conversation id", required: false }),
    contact_id: Property.ShortText({ displayName: "Contact id", required: false }),
    assignee_id: Property.ShortText({ displayName: "Assignee (user id)", required: false }),
    lead: Property.Checkbox({ displayName: "Lead follow-up", description: "Marks the task as a lead follow-up.", required: false }),
  },
  params: (v) => ({
    title: v.title,
    description: v.description,
    due_at: v.due_at,
    conversation_id: v.conversation_id,
    contact_id: v.contact_id,
    assignee_id: v.assignee_id,
    lead: v.lead,
  }),
});
