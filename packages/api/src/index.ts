export { appRouter, createCaller, type AppRouter } from "./root";
export { createContext, type ApiDeps, type Context, type RequestAuth } from "./context";
export { toPublicError, type PublicError } from "./errors";
export { handleWebhook, handleWebhookVerification } from "./webhooks";
export { LiveHub } from "./live";
export type { LiveMessage } from "./router/live";
