// Fails when the drizzle schema has changes that no committed migration carries.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import path from "node:path";
import { ROOT } from "./lib.mjs";

const dir = path.join(ROOT, "packages/db/drizzle");
const before = new Set(readdirSync(dir));
const result = spawnSync("pnpm", ["exec", "drizzle-kit", "generate", "--name", "pending_check"], { cwd: path.join(ROOT, "packages/db"), encoding: "utf8" });
const created = readdirSync(dir).filter((f) => !before.has(f));
if (result.status !== 0) {
  console.error(result.stdout, result.stderr);
  process.exit(1);
}
if (created.length) {
  // Leave the tree as it was, then explain.
  spawnSync("git", ["checkout", "--", "packages/db/drizzle/meta"], { cwd: ROOT });
  for (const f of created) spawnSync("rm", ["-rf", path.join(dir, f)]);
  console.error(`The drizzle schema has changes without a migration (${created.join(", ")}). Run: pnpm db:generate --name <what_changed>`);
  process.exit(1);
}
console.log("migrations are up to date with the schema");
