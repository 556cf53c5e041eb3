import { generateOpenApiDocument, type OpenAPIObject } from "trpc-to-openapi";
import { appRouter } from "../root";
import { MAX_JSON_BODY_BYTES } from "./handler";
import { errorEnvelope, HEADER_REFS, headerComponents, REST_ERROR_RESPONSES } from "./openapi-errors";
import type { Access } from "./responses";
import { restRoutes, type RestRoute } from "./routes";
import { CALLBACK_SIGNATURE_SCHEME, deliveryWebhooks, signedOperations } from "./signed-operations";

type Json = Record<string, unknown>;
type Operation = Json & { responses: Record<string, Json> };

const SUCCESS_DESCRIPTIONS: Record<RestRoute["successStatus"], string> = {
  200: "OK",
  201: "Created",
  202: "Accepted: the work is queued and happens in the background",
  204: "Done; no body",
};

const TAG_DESCRIPTIONS: Record<string, string> = {
  auth: "Sign-up, sign-in and token refresh",
  users: "The signed-in user and the workspace's users and roles",
  "api-keys": "API keys for integrations (admin)",
  channels: "Connected channels: WhatsApp, Messenger, Instagram, e-mail, API",
  conversations: "The inbox: conversations, messages, internal comments",
  contacts: "Contacts and their conversations",
  tasks: "Tasks and lead tasks",
  notifications: "The signed-in user's notifications",
  automations: "Outbound events to automation destinations, deliveries, and signed callbacks",
  operations: "Pending and failed work of the workspace",
  audit: "Who did what, when (admin)",
  webhooks: "Provider webhooks (signed by the provider)",
};

const SIGNED_IN: Record<string, string[]>[] = [{ bearerAuth: [] }, { apiKey: [] }];

const securityFor = (access: Access) => (access === "public" ? [] : SIGNED_IN);

/**
 * Rewrites one generated REST operation to what the adapter really answers: the success status of
 * the route (no body for 204), and exactly the route's error statuses, each the shared Error
 * envelope. trpc-to-openapi's own error shapes (`{message, code, issues}`, never sent) are dropped.
 */
function describeRestOperation(operation: Operation, route: RestRoute): void {
  const generated = operation.responses["200"]!;
  const success: Json = { description: SUCCESS_DESCRIPTIONS[route.successStatus], headers: { "X-Correlation-Id": HEADER_REFS.correlationId } };
  if (route.successStatus !== 204) success.content = generated.content;
  operation.responses = { [route.successStatus]: success, ...Object.fromEntries(route.errorStatuses.map((status) => [status, { $ref: `#/components/responses/${restErrorName(status)}` }])) };
  operation.security = securityFor(route.access);
  if (route.access === "manager" || route.access === "admin") operation["x-alfred-minimum-role"] = route.access;
}

function restErrorName(status: number): string {
  const known = REST_ERROR_RESPONSES[status];
  if (!known) throw new Error(`no error response is defined for status ${status}: add it to REST_ERROR_RESPONSES`);
  return known.name;
}

/** `/v1/automations/*` is the original API's alias of `/api/v1/automations/*`. */
const ALIASED_SERVERS = [{ url: "/api/v1" }, { url: "/v1", description: "The original API's paths, for /automations/* only" }];

function build(): OpenAPIObject {
  const doc = generateOpenApiDocument(appRouter, {
    title: "Alfred API",
    description: [
      "REST API of Alfred, generated from the same procedures (and status codes) the server runs.",
      "Authenticate with `Authorization: Bearer <access_token>` (from `POST /auth/login`) or `Authorization: Bearer alf_...` (an API key, created by an admin; it acts with its own role as a ceiling).",
      'Every error is `{"error":{"code","message","correlation_id","path"?}}` (schema `Error`); invalid input is 422; an unexpected fault is 500 with code `internal_error` and the same envelope.',
      `JSON bodies are limited to ${MAX_JSON_BODY_BYTES / 1024 / 1024} MiB. Automation destinations call back on \`POST /automations/callbacks\` (signed, see \`callbackSignature\`); providers post to \`/webhooks/{channel_type}\`.`,
    ].join(" "),
    version: "1.0.0",
    license: { name: "MIT", identifier: "MIT" },
    baseUrl: "/api/v1",
    securitySchemes: {
      bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT", description: "An access token from `POST /auth/login` or `POST /auth/refresh` (15 minutes)." },
      apiKey: { type: "http", scheme: "bearer", bearerFormat: "alf_<key>", description: "An API key, sent as `Authorization: Bearer alf_...`; it acts for its creator with the key's role as a ceiling." },
      callbackSignature: CALLBACK_SIGNATURE_SCHEME,
    },
    paths: signedOperations,
    defs: { Error: errorEnvelope },
  });

  const paths = doc.paths as Record<string, Record<string, Operation> & { servers?: unknown }>;
  for (const route of restRoutes) describeRestOperation(paths[route.template]![route.method.toLowerCase()]!, route);
  for (const [template, item] of Object.entries(paths)) if (template.startsWith("/automations/")) item.servers = ALIASED_SERVERS;

  const schemas = doc.components!.schemas ?? {};
  for (const name of Object.keys(schemas)) if (name.startsWith("error.")) delete schemas[name];
  doc.components = {
    ...doc.components,
    schemas,
    headers: headerComponents,
    responses: Object.fromEntries(Object.values(REST_ERROR_RESPONSES).map(({ name, response }) => [name, response])),
  };
  const sample = paths["/automations/event-types/{type}/sample"]!.get!.responses["200"]!.content as Record<string, { schema: unknown }>;
  (doc as unknown as Json).webhooks = deliveryWebhooks(sample["application/json"]!.schema);
  doc.security = SIGNED_IN;
  doc.tags = [...new Set(Object.values(paths).flatMap((item) => Object.values(item).flatMap((op) => ((op as Json).tags as string[] | undefined) ?? [])))]
    .sort()
    .map((name) => ({ name, ...(TAG_DESCRIPTIONS[name] ? { description: TAG_DESCRIPTIONS[name] } : {}) }));
  return doc;
}

let cached: OpenAPIObject | undefined;

/** OpenAPI 3.1 document of every /api/v1 operation, generated from the procedures the REST adapter serves. */
export function openApiDocument(): OpenAPIObject {
  cached ??= build();
  return cached;
}
