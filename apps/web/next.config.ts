import path from "node:path";
import { fileURLToPath } from "node:url";
import type { NextConfig } from "next";

/**
 * `NEXT_OUTPUT=standalone` (the production Dockerfile) builds `.next/standalone`: a server.js with
 * only the files it needs, traced from the monorepo root. Unset, the build is the usual one that
 * `next start` (npm start, the e2e and fault drills) serves.
 */
const standalone = process.env.NEXT_OUTPUT === "standalone";
const MONOREPO_ROOT = path.join(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** Every answer, pages and API alike (the pages' Content-Security-Policy comes from src/proxy.ts). */
const SECURITY_HEADERS = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=()" },
];

/** JSON and webhooks: nothing in an API answer may run, load or be framed. */
const API_POLICY = { key: "Content-Security-Policy", value: "default-src 'none'; frame-ancestors 'none'" };

const config: NextConfig = {
  ...(standalone ? { output: "standalone" as const, outputFileTracingRoot: MONOREPO_ROOT } : {}),
  // Internal packages ship TypeScript source (create-t3-turbo style).
  transpilePackages: ["@alfred/api", "@alfred/auth", "@alfred/automation", "@alfred/channels", "@alfred/core", "@alfred/crm", "@alfred/db", "@alfred/egress", "@alfred/rules", "@alfred/storage"],
  // Native or Node-only modules stay outside the server bundle.
  serverExternalPackages: [
    "argon2",
    "pg",
    "ioredis",
    "bullmq",
    "pino",
    "undici",
    "nodemailer",
    "@aws-sdk/client-s3",
    "@fastify/busboy",
    // One registry and one tracer provider per process: loaded by Node, not copied into each route's bundle.
    "prom-client",
    "@opentelemetry/api",
    "@opentelemetry/context-async-hooks",
    "@opentelemetry/core",
    "@opentelemetry/exporter-trace-otlp-http",
    "@opentelemetry/resources",
    "@opentelemetry/sdk-trace-base",
  ],
  poweredByHeader: false,
  typedRoutes: false,
  headers() {
    return Promise.resolve([
      { source: "/:path*", headers: SECURITY_HEADERS },
      { source: "/api/:path*", headers: [API_POLICY] },
      { source: "/v1/:path*", headers: [API_POLICY] },
      // HSTS only where the request came over HTTPS (as Next.js or the TLS proxy in front says).
      { source: "/:path*", has: [{ type: "header", key: "x-forwarded-proto", value: "https" }], headers: [{ key: "Strict-Transport-Security", value: "max-age=63072000; includeSubDomains" }] },
    ]);
  },
};

export default config;
