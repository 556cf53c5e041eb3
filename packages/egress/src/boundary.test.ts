import path from "node:path";
import { fileURLToPath } from "node:url";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";

// The repository's own ESLint config, applied to sample files at real paths: a new sender that
// opens its own connection to a tenant URL fails `pnpm lint`.
const root = fileURLToPath(new URL("../../..", import.meta.url));
const eslint = new ESLint({ cwd: root });

async function rulesFired(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message).filter((rule) => rule !== "@typescript-eslint/no-unused-vars");
}

// The first lint loads the typed config (a TypeScript program): seconds on a busy machine.
describe("only @alfred/egress opens connections to tenant-chosen addresses", { timeout: 60_000 }, () => {
  it.each([
    ["undici request", "packages/channels/src/senders/sms.ts", 'import { request } from "undici";\nexport const send = (url: string) => request(url);\n', "no-restricted-imports"],
    ["undici Agent", "packages/channels/src/senders/sms.ts", 'import { Agent } from "undici";\nexport const agent = new Agent();\n', "no-restricted-imports"],
    ["nodemailer", "packages/crm/src/media.ts", 'import nodemailer from "nodemailer";\nexport const t = nodemailer.createTransport("smtp://x");\n', "no-restricted-imports"],
    ["node:https request", "packages/automation/src/hook.ts", 'import { request } from "node:https";\nexport const r = (u: string) => request(u);\n', "no-restricted-imports"],
    ["http get", "packages/automation/src/hook.ts", 'import { get } from "http";\nexport const r = (u: string) => get(u);\n', "no-restricted-imports"],
    ["node:net connect", "packages/channels/src/smtp.ts", 'import { connect } from "node:net";\nexport const c = () => connect(25, "mail.example.com");\n', "no-restricted-imports"],
    ["node:tls connect", "packages/channels/src/smtp.ts", 'import { connect } from "node:tls";\nexport const c = () => connect(465, "mail.example.com");\n', "no-restricted-imports"],
    ["default import of node:https", "apps/worker/src/jobs/fetch-media.ts", 'import https from "node:https";\nexport const r = (u: string) => https.get(u);\n', "no-restricted-syntax"],
    ["namespace import of node:net", "apps/worker/src/jobs/fetch-media.ts", 'import * as net from "node:net";\nexport const c = () => net.connect(80);\n', "no-restricted-syntax"],
    ["dynamic import of undici", "packages/crm/src/media.ts", 'export const load = async (u: string) => (await import("undici")).request(u);\n', "no-restricted-syntax"],
    ["global fetch in a package", "packages/crm/src/media.ts", "export const load = (url: string) => fetch(url);\n", "no-restricted-globals"],
    ["global fetch in a route handler", "apps/web/src/app/api/v1/proxy/route.ts", "export const GET = (req: Request) => fetch(new URL(req.url).searchParams.get('u')!);\n", "no-restricted-globals"],
  ])("flags %s (%s)", async (_what, file, code, rule) => {
    expect(await rulesFired(file, code)).toContain(rule);
  });

  it.each([
    ["undici inside egress", "packages/egress/src/client.ts", 'import { request } from "undici";\nexport const r = request;\n'],
    ["nodemailer inside egress", "packages/egress/src/smtp.ts", 'import nodemailer from "nodemailer";\nexport const n = nodemailer;\n'],
    ["a test helper's server and client", "packages/channels/src/testing/fake-provider.ts", 'import { createServer, request } from "node:http";\nexport const s = [createServer, request];\n'],
    ["a test file", "packages/channels/src/senders/senders.int.test.ts", 'import { request } from "undici";\nexport const r = request;\n'],
    ["a server with createServer", "apps/worker/src/http.ts", 'import { createServer } from "node:http";\nimport type { AddressInfo } from "node:net";\nexport const s = createServer();\nexport type A = AddressInfo;\n'],
    ["browser code fetching our own API", "apps/web/src/components/inbox/upload.tsx", "export const upload = () => fetch('/api/v1/uploads');\n"],
  ])("allows %s (%s)", async (_what, file, code) => {
    expect(await rulesFired(file, code)).toEqual([]);
  });
});
