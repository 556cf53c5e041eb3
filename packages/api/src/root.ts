import { apiKeysRouter } from "./router/api-keys/_router";
import { authRouter } from "./router/auth/_router";
import { automationRouter } from "./router/automation/_router";
import { usersRouter } from "./router/users/_router";
import { channelsRouter } from "./router/channels/_router";
import { contactsRouter, notificationsRouter, tasksRouter } from "./router/crm/_router";
import { conversationsRouter, messagesRouter } from "./router/inbox/_router";
import { liveRouter } from "./router/live";
import { callbacksRouter } from "./router/callbacks/_router";
import { operationsRouter } from "./router/operations/_router";
import { auditLogsRouter } from "./router/audit-logs/_router";
import { settingsRouter } from "./router/settings/_router";
import { flowsRouter, rulesRouter } from "./router/rules/_router";
import { createCallerFactory, createTRPCRouter } from "./trpc";

export const appRouter = createTRPCRouter({
  auth: authRouter,
  users: usersRouter,
  automation: automationRouter,
  apiKeys: apiKeysRouter,
  channels: channelsRouter,
  conversations: conversationsRouter,
  messages: messagesRouter,
  contacts: contactsRouter,
  tasks: tasksRouter,
  notifications: notificationsRouter,
  live: liveRouter,
  callbacks: callbacksRouter,
  operations: operationsRouter,
  auditLogs: auditLogsRouter,
  settings: settingsRouter,
  rules: rulesRouter,
  flows: flowsRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
