import { addInternalComment } from "./add-internal-comment";
import { createTask } from "./create-task";
import { sendMessage } from "./send-message";
import { updateContact } from "./update-contact";
import { updateConversationStatus } from "./update-conversation-status";

export { addInternalComment, createTask, sendMessage, updateContact, updateConversationStatus };
export const alfredActions = [createTask, updateConversationStatus, addInternalComment, sendMessage, updateContact];
