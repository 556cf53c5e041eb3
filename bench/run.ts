import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { appendResults, formatTable, machineLine, type BenchContext, type BenchFigure, type BenchSuite } from "./lib/report";
import { ROOT, stopAll } from "./lib/processes";
import { startStack, type BenchStack } from "./lib/stack";
import { burstSuite } from "./suites/burst";
import { drainSuite, latencySuite, retriesSuite } from "./suites/deliveries";
import { inboxSuite } from "./suites/inbox";
import { intakeSuite } from "./suites/intake";
import { memorySuite } from "./suites/memory";

/**
 * `pnpm bench [suite ...]`: builds what is measured (turbo's cache makes a rebuild of an unchanged
 * tree instant), runs the suites, prints one table and prepends it to bench/RESULTS.md. Figures are
 * read as ratios to baselines measured in the same run; nothing here fails on a time.
 */
const SUITES: BenchSuite[] = [intakeSuite, burstSuite, drainSuite, latencySuite, retriesSuite, inboxSuite, memorySuite];

const wanted = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const unknown = wanted.filter((id) => !SUITES.some((s) => s.id === id));
if (unknown.length) {
  console.error(`unknown suite(s): ${unknown.join(", ")}; known: ${SUITES.map((s) => s.id).join(", ")}`);
  process.exit(2);
}
const selected = wanted.length ? SUITES.filter((s) => wanted.includes(s.id)) : SUITES;

if (!process.argv.includes("--no-build")) {
  const build = spawnSync("pnpm", ["build"], { cwd: ROOT, stdio: "inherit", env: { ...process.env, NODE_ENV: "production" } });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

let stack: Promise<BenchStack> | undefined;
const context: BenchContext = { stack: () => (stack ??= startStack()) };
const rows: { suite: string; figure: BenchFigure }[] = [];
const failed: string[] = [];
try {
  for (const suite of selected) {
    console.log(`\n== ${suite.title} (${suite.id})`);
    try {
      const figures = await suite.run(context);
      for (const figure of figures) rows.push({ suite: suite.id, figure });
      console.log(formatTable(figures.map((figure) => ({ suite: suite.id, figure }))));
    } catch (err) {
      failed.push(suite.id);
      console.error(`suite ${suite.id} could not run:`, err);
    }
  }
} finally {
  await (await stack?.catch(() => undefined))?.close();
  stopAll();
}

if (rows.length) {
  const table = formatTable(rows);
  console.log(`\n${table}`);
  const when = new Date().toISOString().replace("T", " ").slice(0, 16);
  appendResults(fileURLToPath(new URL("RESULTS.md", import.meta.url)), `${when} UTC · ${machineLine()}${failed.length ? ` · did not run: ${failed.join(", ")}` : ""}`, table);
  console.log("\nwritten to bench/RESULTS.md");
}
process.exit(failed.length ? 1 : 0);
