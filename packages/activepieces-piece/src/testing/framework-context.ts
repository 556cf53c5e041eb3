import { StoreScope, type Store } from "@activepieces/pieces-framework";
import type { AlfredConnection } from "../lib/common/alfred-client";

/** The key-value store Activepieces gives a step, kept in memory: values per scope and key. */
export function memoryStore(): Store & { values: Map<string, unknown> } {
  const values = new Map<string, unknown>();
  const at = (key: string, scope: StoreScope = StoreScope.FLOW) => `${scope}/${key}`;
  return {
    values,
    async put<T>(key: string, value: T, scope?: StoreScope) {
      values.set(at(key, scope), structuredClone(value));
      return value;
    },
    async get<T>(key: string, scope?: StoreScope) {
      return (values.has(at(key, scope)) ? structuredClone(values.get(at(key, scope))) : null) as T | null;
    },
    async delete(key: string, scope?: StoreScope) {
      values.delete(at(key, scope));
    },
  };
}

/** The fields of Activepieces' trigger and action contexts that the piece reads. */
export interface PieceContext {
  auth: { type: "CUSTOM_AUTH"; props: AlfredConnection };
  store: Store;
  webhookUrl: string;
  payload: { body: unknown; rawBody?: unknown; headers: Record<string, string>; queryParams: Record<string, string> };
  propsValue: Record<string, unknown>;
  project: { id: string };
  server: { apiUrl: string; publicUrl: string; token: string };
}

export function pieceContext(connection: AlfredConnection, overrides: Partial<PieceContext> = {}): PieceContext {
  return {
    auth: { type: "CUSTOM_AUTH", props: connection },
    store: memoryStore(),
    webhookUrl: "http://127.0.0.1:9/api/v1/webhooks/flow",
    payload: { body: {}, headers: {}, queryParams: {} },
    propsValue: {},
    project: { id: "project-1" },
    server: { apiUrl: "http://127.0.0.1:9/api/", publicUrl: "http://127.0.0.1:9/", token: "engine-token" },
    ...overrides,
  };
}
