import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import type { BenchStack } from "./stack";

/**
 * One figure of a benchmark run. This machine is shared and noisy, so a figure is quoted next to a
 * baseline measured in the same run (a bare Node server, an empty Next route handler, a plain undici
 * loop) and judged by the ratio, never by the bare number.
 */
export interface BenchFigure {
  /** What was measured, e.g. "intake, 500 senders, c=32: throughput". */
  name: string;
  value: number;
  unit: string;
  /** The same-run reference this figure is compared with. */
  baseline?: { name: string; value: number };
  /** How the ratio value/baseline reads: "higher" is better (throughput) or "lower" (latency). */
  better?: "higher" | "lower";
  /** The goal, in words, e.g. ">= 0.8x the empty Next route" or "p99 < 100 ms". */
  goal?: string;
  note?: string;
}

export interface BenchSuite {
  /** Short id used on the command line: `pnpm bench intake`. */
  id: string;
  title: string;
  /** `context.stack()` starts (once) Alfred's production build on a bench database; suites that need no running app ignore it. */
  run(context: BenchContext): Promise<BenchFigure[]>;
}

export interface BenchContext {
  stack(): Promise<BenchStack>;
}

export const ratio = (f: BenchFigure): number | null => (f.baseline && f.baseline.value !== 0 ? f.value / f.baseline.value : null);

const num = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 10 ? v.toFixed(1) : v.toFixed(2));

export function formatTable(rows: { suite: string; figure: BenchFigure }[]): string {
  const lines = ["| suite | figure | value | same-run baseline | ratio | goal |", "|---|---|---|---|---|---|"];
  for (const { suite, figure: f } of rows) {
    const r = ratio(f);
    lines.push(
      `| ${suite} | ${f.name}${f.note ? ` (${f.note})` : ""} | ${num(f.value)} ${f.unit} | ${f.baseline ? `${f.baseline.name}: ${num(f.baseline.value)} ${f.unit}` : "—"} | ${r === null ? "—" : `${r.toFixed(2)}x`} | ${f.goal ?? "—"} |`,
    );
  }
  return lines.join("\n");
}

function commit(): string {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
}

export function machineLine(): string {
  const cpus = os.cpus();
  return `${os.hostname()} · ${cpus.length} cores (${cpus[0]?.model.trim() ?? "?"}) · ${Math.round(os.totalmem() / 2 ** 30)} GiB · Node ${process.version} · commit ${commit()}`;
}

const MARKER = "<!-- runs: newest first; earlier runs are kept for comparison -->";

/** Prepends this run to RESULTS.md, keeping every earlier run below it. */
export function appendResults(file: string, heading: string, table: string): void {
  const intro = `# Benchmark results\n\nWritten by \`pnpm bench\` (see bench/README.md). Every figure is quoted next to a baseline measured\nin the same run, on the same machine, and judged by the ratio: the machine is shared and noisy.\n\n${MARKER}\n`;
  const existing = existsSync(file) ? readFileSync(file, "utf8") : intro;
  const [head, runs = ""] = existing.includes(MARKER) ? existing.split(MARKER) : [intro.split(MARKER)[0]!, existing];
  writeFileSync(file, `${head}${MARKER}\n\n## ${heading}\n\n${table}\n${runs.startsWith("\n") ? runs : `\n${runs}`}`);
}
