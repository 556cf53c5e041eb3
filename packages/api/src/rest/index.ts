export { handleRestRequest, MAX_JSON_BODY_BYTES, type RestOptions } from "./handler";
export { openApiDocument } from "./openapi";
export { restRoutes } from "./routes";
export { createApiKeyResolver } from "./api-keys";
