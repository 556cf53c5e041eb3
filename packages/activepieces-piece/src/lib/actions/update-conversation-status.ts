import { Property } from "@activepieces/pieces-framework";
import { callbackAction } from "./callback-action";

export const updateConversationStatus = callbackAction({
  name: "update_conversation_status",
  action: "update_conversation_status",
  displayName: "Update conversation status",
  description: "Opens, resolves, sets pending or snoozes a conversation.",
  props: {
    conversation_id: Property.ShortText({ displayName: "Conversation id", required: true }),
    status: Property.StaticDropdown({
      displayName: "Status",
      required: true,
      options: {
        options: [
          { label: "Open", value: "open" },
          { label: "Pending", value: "pending" },
          { label: "Resolved", value: "resolved" },
          { label: "Snoozed", value: "snoozed" },
        ],
      },
    }),
    snoozed_until: Property.DateTime({ displayName: "Snoozed until", description: "For the snoozed status.", required: false }),
  },
  params: (v) => ({ conversation_id: v.conversation_id, status: v.status, snoozed_until: v.snoozed_until }),
});
