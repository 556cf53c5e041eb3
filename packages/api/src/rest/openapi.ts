import { generateOpenApiDocument, type OpenAPIObject } from "trpc-to-openapi";
import { appRouter } from "../root";

let cached: OpenAPIObject | undefined;

/** OpenAPI 3 document generated from the same procedures the REST adapter serves. */
export function openApiDocument(): OpenAPIObject {
  cached ??= generateOpenApiDocument(appRouter, {
    title: "Alfred API",
    description:
      "REST API of Alfred. Authenticate with `Authorization: Bearer <access_token>` from /auth/login. Errors are `{\"error\":{\"code\",\"message\",\"correlation_id\"}}`; invalid input is 422.",
    version: "1.0.0",
    baseUrl: "/api/v1",
    securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
  });
  return cached;
}
