import { Property } from "@activepieces/pieces-framework";
import { callbackAction } from "./callback-action";

export const sendMessage = callbackAction({
  name: "send_message",
  action: "send_message",
  displayName: "Send message",
  description: "Sends a reply to the customer on the conversation's channel.",
  props: {
    conversation_id: Property.ShortText({ displayName: "Conversation id", required: true }),
    body: Property.LongText({ displayName: "Message", required: true }),
  },
  params: (v) => ({ conversation_id: v.conversation_id, body: v.body }),
});
