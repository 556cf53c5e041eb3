export { appRouter, createCaller, type AppRouter } from "./root";
export { createContext, type ApiDeps, type Context, type RequestAuth } from "./context";
export { toPublicError, type PublicError } from "./errors";
export { handleWebhook, handleWebhookVerification } from "./webhooks";
export { LiveHub } from "./live";
export type { LiveMessage } from "./router/live";
export { handleCallback, MAX_CALLBACK_BYTES } from "./callbacks/handler";
export { CALLBACK_ACTIONS, CALLBACK_ACTION_NAMES } from "./callbacks/actions";
export { checkHealth, type HealthReport } from "./health";
