import { Agent } from "node:https";
import { httpClient, HttpMethod } from "@activepieces/pieces-common";
import axios from "axios";

/** The connection a user saves in Activepieces (the piece's CustomAuth props). */
export interface AlfredConnection {
  base_url: string;
  api_key: string;
}

export interface AlfredDestination {
  id: string;
  name: string;
  url: string;
  event_types: string[];
  enabled: boolean;
  secret_masked: string;
}

export interface AlfredResponse {
  status: number;
  body: unknown;
  headers: Record<string, unknown>;
}

/** A non-2xx answer from Alfred, with its `{ error: { code, message } }` when it sent one. */
export class AlfredApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | null,
    message: string,
  ) {
    super(message);
    this.name = "AlfredApiError";
  }
}

const REQUEST_TIMEOUT_MS = 15_000;

/**
 * pieces-common's client sets NODE_TLS_REJECT_UNAUTHORIZED=0 for the whole process on every
 * request; this agent verifies certificates regardless, so the API key never goes over an
 * unverified connection. Statuses are judged here (nothing is thrown or logged with a body), and
 * redirects are not followed (the bearer token is never replayed to another address).
 */
const transport = axios.create({
  httpsAgent: new Agent({ rejectUnauthorized: true }),
  validateStatus: () => true,
  maxRedirects: 0,
});
// What is left to fail is the connection itself; its cause (ECONNREFUSED, a certificate, a
// timeout) is the useful part, and a plain Error keeps pieces-common from logging the request body.
transport.interceptors.response.use(undefined, (err: { code?: string; message?: string }) =>
  Promise.reject(new Error([err.code, err.message].filter(Boolean).join(": ") || "connection failed")),
);

/** `https://alfred.example.com`, `.../` and `.../api/v1` all name the same Alfred. */
export function alfredApiBase(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl.trim());
  } catch {
    throw new Error(`The Alfred URL "${baseUrl}" is not a URL; enter e.g. https://alfred.example.com`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error("The Alfred URL must start with https:// (or http:// for a local Alfred)");
  if (url.username || url.password || url.search || url.hash) throw new Error("Enter the Alfred URL without credentials, query or fragment");
  const path = url.pathname.replace(/\/+$/, "").replace(/\/api\/v1$/, "");
  return `${url.origin}${path}/api/v1`;
}

function errorOf(response: AlfredResponse): AlfredApiError {
  const error = (response.body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  const code = typeof error?.code === "string" ? error.code : null;
  const detail = typeof error?.message === "string" ? error.message : `HTTP ${response.status}`;
  return new AlfredApiError(response.status, code, `Alfred answered ${response.status}${code ? ` (${code})` : ""}: ${detail}`);
}

/** One request to Alfred's REST API; every status comes back as a response. */
export async function alfredRequest(
  baseUrl: string,
  request: { method: HttpMethod; path: string; apiKey?: string; headers?: Record<string, string>; body?: unknown },
): Promise<AlfredResponse> {
  // pieces-common adds Accept and, with a body, Content-Type: application/json.
  const headers: Record<string, string> = { ...request.headers };
  if (request.apiKey) headers.Authorization = `Bearer ${request.apiKey}`;
  const response = await httpClient.sendRequest(
    { method: request.method, url: `${alfredApiBase(baseUrl)}${request.path}`, headers, body: request.body, timeout: REQUEST_TIMEOUT_MS },
    transport,
  );
  return { status: response.status, body: response.body, headers: (response.headers ?? {}) as Record<string, unknown> };
}

/** The API-key calls the triggers and actions make, each throwing AlfredApiError on a non-2xx. */
export function alfredApi(connection: AlfredConnection) {
  const call = async <T>(method: HttpMethod, path: string, body?: unknown): Promise<T> => {
    const response = await alfredRequest(connection.base_url, { method, path, apiKey: connection.api_key, body });
    if (response.status < 200 || response.status > 299) throw errorOf(response);
    return response.body as T;
  };
  const destinationPath = (id: string) => `/automations/destinations/${encodeURIComponent(id)}`;
  return {
    me: () => call<{ tenant: { id: string; name: string }; role: "agent" | "manager" | "admin" }>(HttpMethod.GET, "/me"),
    eventSample: (type: string) => call<unknown>(HttpMethod.GET, `/automations/event-types/${encodeURIComponent(type)}/sample`),
    listDestinations: async () => (await call<{ items: AlfredDestination[] }>(HttpMethod.GET, "/automations/destinations")).items,
    createDestination: (input: { name: string; url: string; event_types: string[] }) => call<AlfredDestination & { secret: string }>(HttpMethod.POST, "/automations/destinations", input),
    rotateSecret: (id: string) => call<AlfredDestination & { secret: string }>(HttpMethod.POST, `${destinationPath(id)}/rotate-secret`, {}),
    enableDestination: (id: string) => call<AlfredDestination>(HttpMethod.PATCH, destinationPath(id), { enabled: true }),
    /** True when it was deleted now, false when it was already gone (404). */
    deleteDestination: async (id: string): Promise<boolean> => {
      const response = await alfredRequest(connection.base_url, { method: HttpMethod.DELETE, path: destinationPath(id), apiKey: connection.api_key });
      if (response.status === 404) return false;
      if (response.status < 200 || response.status > 299) throw errorOf(response);
      return true;
    },
  };
}

export type AlfredApi = ReturnType<typeof alfredApi>;

/** Callbacks carry no API key: the destination's signature is their authentication. */
export async function postCallback(baseUrl: string, signed: { headers: Record<string, string>; body: Buffer }) {
  const response = await alfredRequest(baseUrl, { method: HttpMethod.POST, path: "/automations/callbacks", headers: signed.headers, body: signed.body });
  const replay = String(response.headers["x-alfred-idempotent-replay"] ?? "") === "true";
  return { ...response, replay, error: response.status === 200 ? null : errorOf(response) };
}
