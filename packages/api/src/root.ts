import { authRouter } from "./router/auth/_router";
import { usersRouter } from "./router/users/_router";
import { channelsRouter } from "./router/channels/_router";
import { contactsRouter, notificationsRouter, tasksRouter } from "./router/crm/_router";
import { conversationsRouter } from "./router/inbox/_router";
import { liveRouter } from "./router/live";
import { createCallerFactory, createTRPCRouter } from "./trpc";

export const appRouter = createTRPCRouter({
  auth: authRouter,
  users: usersRouter,
  channels: channelsRouter,
  conversations: conversationsRouter,
  contacts: contactsRouter,
  tasks: tasksRouter,
  notifications: notificationsRouter,
  live: liveRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
