import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

/**
 * Checks real answers against the OpenAPI 3.1 document, the way a generated client relies on it:
 * the status is listed for the operation (no `default`), every required header is there and every
 * documented header's value fits its schema, the media type is one the response lists, and the
 * body validates against its schema (an empty body where none is documented).
 *
 * Schemas are validated with Ajv's JSON Schema 2020-12 dialect, the dialect of OpenAPI 3.1, over the
 * whole document, so `$ref`s resolve exactly as a client generator resolves them.
 */

const DOCUMENT_ID = "https://alfred.test/openapi.json";

type Json = Record<string, unknown>;
interface HeaderObject {
  required?: boolean;
  schema?: Json;
}
interface ResponseObject {
  headers?: Record<string, HeaderObject | { $ref: string }>;
  content?: Record<string, { schema?: Json }>;
}

export interface Answer {
  status: number;
  headers: Headers;
  body: string;
}

export interface DocumentedOperation {
  method: string;
  template: string;
  statuses: number[];
  operation: Json & { responses: Record<string, unknown>; parameters?: { in: string; name: string; schema?: Json }[] };
}

const pointer = (...segments: string[]) => `#/${segments.map((s) => s.replaceAll("~", "~0").replaceAll("/", "~1")).join("/")}`;

export class OpenApiContract {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true, logger: false });
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(private readonly doc: Json) {
    addFormats.default(this.ajv);
    this.ajv.addSchema(doc, DOCUMENT_ID);
  }

  operations(): DocumentedOperation[] {
    const result: DocumentedOperation[] = [];
    for (const [template, item] of Object.entries(this.doc.paths as Record<string, Json>)) {
      for (const [method, operation] of Object.entries(item)) {
        if (method === "servers" || method === "parameters") continue;
        const op = operation as DocumentedOperation["operation"];
        result.push({ method: method.toUpperCase(), template, statuses: Object.keys(op.responses).map(Number), operation: op });
      }
    }
    return result;
  }

  /** Everything about `answer` that the document does not allow, as readable lines (empty: it conforms). */
  problems(method: string, template: string, answer: Answer): string[] {
    const base = ["paths", template, method.toLowerCase(), "responses", String(answer.status)];
    const found = this.resolve(base);
    if (!found) return [`${answer.status} is not a documented answer of ${method} ${template}`];
    const { value: response, path } = found as { value: ResponseObject; path: string[] };
    const problems: string[] = [];
    for (const name of Object.keys(response.headers ?? {})) {
      const header = this.resolve([...path, "headers", name])!;
      const value = answer.headers.get(name);
      const { required, schema } = header.value as HeaderObject;
      if (value === null) {
        if (required) problems.push(`header ${name} is required`);
        continue;
      }
      if (schema) problems.push(...this.validate([...header.path, "schema"], value).map((p) => `header ${name}: ${p}`));
    }
    const mediaType = (answer.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
    if (!response.content) {
      if (answer.body !== "") problems.push(`no body is documented, got ${JSON.stringify(answer.body.slice(0, 200))}`);
      return problems;
    }
    // `*/*`: any media type (a file served as what it is).
    const documented = mediaType in response.content ? mediaType : "*/*" in response.content ? "*/*" : null;
    if (!documented) return [...problems, `content-type ${mediaType || "(none)"} is not one of ${Object.keys(response.content).join(", ")}`];
    let body: unknown = answer.body;
    if (mediaType === "application/json") {
      try {
        body = JSON.parse(answer.body);
      } catch {
        return [...problems, `body is not JSON: ${answer.body.slice(0, 200)}`];
      }
    }
    problems.push(...this.validate([...path, "content", documented, "schema"], body).map((p) => `body ${p}`));
    return problems;
  }

  /** Validates `value` against the schema at `path` in the document, e.g. a request body schema. */
  validate(path: string[], value: unknown): string[] {
    const ref = `${DOCUMENT_ID}${pointer(...path)}`;
    let validator = this.compiled.get(ref);
    if (!validator) {
      validator = this.ajv.compile({ $ref: ref });
      this.compiled.set(ref, validator);
    }
    if (validator(value)) return [];
    return (validator.errors ?? []).map((e) => `${e.instancePath || "(root)"} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ""}`);
  }

  /** The object at `path`, following one `$ref` (`#/components/...`) where the document has one. */
  private resolve(path: string[]): { value: unknown; path: string[] } | null {
    let node: unknown = this.doc;
    for (const segment of path) {
      if (node === null || typeof node !== "object" || !(segment in node)) return null;
      node = (node as Json)[segment];
    }
    const ref = (node as { $ref?: unknown } | undefined)?.$ref;
    if (typeof ref === "string" && ref.startsWith("#/")) {
      const target = ref.slice(2).split("/").map((s) => s.replaceAll("~1", "/").replaceAll("~0", "~"));
      return this.resolve(target);
    }
    return { value: node, path };
  }
}
