import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildDeliveryHeaders, sampleEnvelope } from "@alfred/automation";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPieceArchive, type PieceArchive } from "./build-archive";

/**
 * The archive is what a self-hosted Activepieces installs: it must load on its own (no workspace,
 * no node_modules), expose the piece the way Activepieces looks for it, and verify deliveries with
 * the signing code bundled into it.
 */
let work: string;
let built: PieceArchive;
let unpacked: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "alfred-piece-"));
  built = await buildPieceArchive(join(work, "dist"));
  unpacked = join(work, "installed");
  execFileSync("mkdir", ["-p", unpacked]);
  execFileSync("tar", ["-xzf", built.archive, "-C", unpacked]);
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs `script` in a fresh Node process inside the unpacked package, outside any workspace. */
function inInstalledPackage(script: string, input = ""): unknown {
  const out = execFileSync(process.execPath, ["-e", script], { cwd: join(unpacked, "package"), input, encoding: "utf8", env: { PATH: process.env.PATH ?? "", NODE_ENV: "production" } });
  return JSON.parse(out);
}

const FIND_PIECE = `const m = require("./src/index.js"); const piece = Object.values(m).find((v) => v && v.constructor && v.constructor.name === "Piece");`;

describe("the private piece archive", () => {
  it("is a package with one bundle and no dependencies to install", () => {
    const manifest = JSON.parse(readFileSync(join(unpacked, "package/package.json"), "utf8"));
    expect(manifest).toMatchObject({ name: "@alfred/activepieces-piece", version: built.version, main: "./src/index.js", dependencies: {} });
    expect(built.archive).toMatch(/alfred-activepieces-piece-\d+\.\d+\.\d+\.tgz$/);
    const bundle = readFileSync(join(unpacked, "package/src/index.js"), "utf8");
    expect(bundle).not.toMatch(/require\(["']@(alfred|activepieces)\//);
  });

  it("loads standalone and exposes the piece as Activepieces finds it", () => {
    const metadata = inInstalledPackage(`${FIND_PIECE}
      const md = piece.metadata();
      console.log(JSON.stringify({ displayName: md.displayName, min: md.minimumSupportedRelease, triggers: Object.keys(md.triggers), actions: Object.keys(md.actions), auth: Object.keys(md.auth.props) }));`);
    expect(metadata).toEqual({
      displayName: "Alfred",
      min: "0.82.0",
      triggers: ["new_inbound_message", "message_sent", "conversation_updated", "task_created", "task_completed", "task_overdue", "contact_updated", "lead_score_changed"],
      actions: ["create_task", "update_conversation_status", "add_internal_comment", "send_message", "update_contact"],
      auth: ["base_url", "api_key"],
    });
  });

  it("verifies a delivery signed by Alfred with the signing code bundled into it, and refuses it altered", () => {
    const tenantId = "0b4b8a4e-6c1f-4c43-9a6e-2f4f0f1d9a11";
    const secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw1Zg3a0ZLwT8=";
    const envelope = sampleEnvelope("task.created", tenantId);
    const body = JSON.stringify(envelope);
    const headers = buildDeliveryHeaders({ secrets: [secret], eventId: envelope.event_id, tenantId, timestamp: Math.floor(Date.now() / 1000), rawBody: body, correlationId: "c", version: "1", destinationId: "5d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d" });
    const held = { id: "d", secret, tenant_id: tenantId };
    const run = (rawBody: string) =>
      inInstalledPackage(
        `${FIND_PIECE}
        const { held, payload } = JSON.parse(require("node:fs").readFileSync(0, "utf8"));
        const store = { get: async () => held, put: async () => {}, delete: async () => {} };
        console.warn = () => {};
        piece.getTrigger("task_created").run({ store, payload }).then((out) => console.log(JSON.stringify(out)));`,
        JSON.stringify({ held, payload: { body: JSON.parse(body), rawBody, headers, queryParams: {} } }),
      );
    expect(run(body)).toEqual([envelope]);
    expect(run(body.replace("Lisbon", "Porto"))).toEqual([]);
  });
});
