import type { AppRouter } from "@alfred/api";
import type { inferRouterOutputs } from "@trpc/server";

type Outputs = inferRouterOutputs<AppRouter>;

export type ConversationItem = Outputs["conversations"]["list"]["items"][number];
export type ConversationStatus = ConversationItem["status"];
export type TimelineItem = Outputs["conversations"]["timeline"]["items"][number];
export type Contact = Outputs["contacts"]["get"];
export type Task = Outputs["tasks"]["list"]["items"][number];
export type DirectoryUser = Outputs["users"]["directory"]["items"][number];
export type Channel = Outputs["channels"]["list"]["items"][number];
export type ChannelType = Channel["type"];

export const CONVERSATION_STATUSES = ["open", "pending", "snoozed", "resolved"] as const satisfies readonly ConversationStatus[];
export const INBOX_VIEWS = ["mine", "unassigned", "all"] as const;
export type InboxView = (typeof INBOX_VIEWS)[number];
