// One flat config for the whole workspace: fast, non-type-aware rules (typecheck does the rest).
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";

const GUARDED = "Outbound calls go through @alfred/egress (createEgressClient / guardedRequest / smtpTransport): the SSRF guard for every address a tenant can influence.";

/**
 * Where opening connections is allowed: the guard itself, code that only reaches our own fakes and
 * services, and the Activepieces piece, which runs inside Activepieces and calls only the Alfred URL
 * its user saved (Alfred's SSRF guard protects Alfred's network, not Activepieces').
 */
const EGRESS_EXEMPT = [
  "packages/egress/src/**",
  "packages/activepieces-piece/src/**",
  "**/*.test.ts",
  "**/testing/**",
  "**/e2e/**",
  "scripts/**",
  "bench/**",
  "**/*.config.*",
  "tooling/**",
];

const CONNECTING = ["request", "get", "Agent", "globalAgent", "ClientRequest"];
const OUTBOUND_IMPORTS = [
  { name: "undici", message: GUARDED },
  { name: "nodemailer", message: GUARDED },
  ...["http", "https", "node:http", "node:https"].map((name) => ({ name, importNames: CONNECTING, message: GUARDED })),
  ...["net", "node:net", "tls", "node:tls"].map((name) => ({ name, importNames: ["connect", "createConnection", "Socket", "TLSSocket"], message: GUARDED })),
  ...["http2", "node:http2"].map((name) => ({ name, importNames: ["connect"], message: GUARDED })),
];

/** `import * as http`, `import http from` and `import("undici")` would get past the named-import rule. */
const OUTBOUND_NAMESPACE_IMPORTS = [
  ...["ImportDefaultSpecifier", "ImportNamespaceSpecifier"].map((specifier) => ({
    selector: `ImportDeclaration[source.value=/^(node:)?(http|https|http2|net|tls|dgram)$/] > ${specifier}`,
    message: `Import named server helpers only (e.g. { createServer }). ${GUARDED}`,
  })),
  { selector: "ImportExpression[source.value=/^(undici|nodemailer|(node:)?(http|https|http2|net|tls))$/]", message: GUARDED },
];

export default tseslint.config(
  { ignores: ["**/node_modules/**", "**/.next/**", "**/dist/**", "**/.turbo/**", "**/drizzle/**", "**/next-env.d.ts", "**/test-results/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "no-console": ["error", { allow: ["warn", "error"] }],
    },
  },
  {
    files: ["scripts/**", "bench/**", "**/src/cli/**", "**/*.config.*", "**/e2e/**"],
    rules: { "no-console": "off" },
  },
  // Every outbound connection to an address a tenant can influence goes through @alfred/egress (the
  // SSRF-guarded client); a sender that builds its own client for a tenant URL is a bug. So nothing
  // else may import what opens connections: undici, nodemailer, node's request/connect helpers.
  // Servers (createServer) stay allowed. Tests, test helpers, e2e specs, scripts and benchmarks only
  // talk to our own fakes and services, so they are exempt.
  {
    files: ["**/*.{ts,tsx,js,mjs}"],
    ignores: EGRESS_EXEMPT,
    rules: {
      "no-restricted-imports": ["error", { paths: OUTBOUND_IMPORTS }],
      "no-restricted-syntax": ["error", ...OUTBOUND_NAMESPACE_IMPORTS],
    },
  },
  // Server code: global fetch would reach any URL unguarded. (Browser code fetches our own API.)
  {
    files: ["packages/**/*.{ts,tsx}", "apps/worker/**/*.ts", "apps/web/src/server/**/*.ts", "apps/web/src/app/api/**/*.ts"],
    ignores: EGRESS_EXEMPT,
    rules: { "no-restricted-globals": ["error", { name: "fetch", message: GUARDED }, { name: "WebSocket", message: GUARDED }] },
  },
);
