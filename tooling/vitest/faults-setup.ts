import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import integrationSetup from "./integration-setup";

/**
 * Fault drills run the production worker bundle: rebuild it (esbuild, seconds) so a drill never
 * runs yesterday's worker; then the migrated template database the integration tests use too.
 */
export default async function setup() {
  const workerDir = fileURLToPath(new URL("../../apps/worker", import.meta.url));
  const built = spawnSync(process.execPath, ["build.mjs"], { cwd: workerDir, encoding: "utf8" });
  if (built.status !== 0) throw new Error(`building the worker failed:\n${built.stdout}\n${built.stderr}`);
  return integrationSetup();
}
