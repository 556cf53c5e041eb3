import { Property } from "@activepieces/pieces-framework";
import { callbackAction } from "./callback-action";

export const addInternalComment = callbackAction({
  name: "add_internal_comment",
  action: "add_internal_comment",
  displayName: "Add internal comment",
  description: "Adds a private note to a conversation: agents see it, the customer never does.",
  props: {
    conversation_id: Property.ShortText({ displayName: "Conversation id", required: true }),
    body: Property.LongText({ displayName: "Comment", required: true }),
  },
  params: (v) => ({ conversation_id: v.conversation_id, body: v.body }),
});
