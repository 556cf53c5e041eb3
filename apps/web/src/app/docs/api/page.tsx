import { openApiDocument } from "@alfred/api/rest";
import type { Metadata } from "next";

export const metadata: Metadata = { title: "API reference" };

type Operation = { summary?: string; tags?: string[]; security?: Record<string, string[]>[]; parameters?: { name: string; in: string; required?: boolean }[]; requestBody?: unknown; responses?: Record<string, { description?: string }> };

const METHOD_COLOURS: Record<string, string> = {
  get: "bg-emerald-100 text-emerald-800",
  post: "bg-blue-100 text-blue-800",
  patch: "bg-amber-100 text-amber-800",
  put: "bg-amber-100 text-amber-800",
  delete: "bg-red-100 text-red-800",
};

/** A readable reference rendered on the server from the same OpenAPI document (no external UI). */
export default function ApiReferencePage() {
  const doc = openApiDocument();
  // A path item also holds `servers` (the /v1 alias): only its HTTP methods are operations.
  const operations = (Object.entries(doc.paths ?? {}) as [string, Record<string, Operation>][]).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => method in METHOD_COLOURS)
      .map(([method, op]) => ({ path, method, op })),
  );
  return (
    <main className="mx-auto max-w-4xl p-8">
      <h1 className="text-2xl font-semibold">{doc.info.title}</h1>
      <p className="mt-2 text-sm text-slate-600">{doc.info.description}</p>
      <p className="mt-2 text-sm">
        Machine-readable document:{" "}
        <a className="text-brand-600 underline" href="/api/v1/openapi.json">
          /api/v1/openapi.json
        </a>
      </p>
      <div className="mt-8 space-y-4">
        {operations.map(({ path, method, op }) => (
          <section key={`${method} ${path}`} className="rounded-lg border border-slate-200 bg-white p-4">
            <h2 className="flex items-center gap-3 font-mono text-sm">
              <span className={`rounded px-2 py-0.5 text-xs font-bold uppercase ${METHOD_COLOURS[method] ?? ""}`}>{method}</span>
              /api/v1{path}
              {op.security && op.security.length > 0 && (
                <span className="ml-auto rounded bg-slate-100 px-2 py-0.5 font-sans text-xs text-slate-600">{op.security.flatMap((scheme) => Object.keys(scheme)).join(" or ")}</span>
              )}
            </h2>
            {op.summary && <p className="mt-2 text-sm text-slate-700">{op.summary}</p>}
            {op.parameters && op.parameters.length > 0 && (
              <p className="mt-2 text-xs text-slate-500">
                Parameters: {op.parameters.map((p) => `${p.name} (${p.in}${p.required ? ", required" : ""})`).join(", ")}
              </p>
            )}
            <p className="mt-2 text-xs text-slate-500">Responses: {Object.keys(op.responses ?? {}).join(", ")}</p>
          </section>
        ))}
      </div>
    </main>
  );
}
