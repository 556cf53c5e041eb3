import { createDb, type Database } from "@alfred/db";

/**
 * The executed plans (EXPLAIN ANALYZE, BUFFERS, JSON) of every statement a piece of real code runs:
 * `auto_explain` on a one-connection pool reports each plan to the client as a NOTICE. Needs a
 * superuser connection (LOAD), which is what tests and benchmarks have.
 */
export interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Sort Method"?: string;
  "Sort Space Type"?: string;
  "Actual Loops"?: number;
  "Actual Rows"?: number;
  Plans?: PlanNode[];
  [key: string]: unknown;
}

export interface CapturedPlan {
  query: string;
  durationMs: number;
  plan: PlanNode;
}

export interface PlanCapture {
  db: Database;
  /** Runs `fn` and returns the plans of the statements it ran, in order. */
  capture(fn: (db: Database) => Promise<unknown>): Promise<CapturedPlan[]>;
  close(): Promise<void>;
}

const AUTO_EXPLAIN = [
  "session_preload_libraries=auto_explain",
  "auto_explain.log_min_duration=0",
  "auto_explain.log_analyze=on",
  "auto_explain.log_buffers=on",
  "auto_explain.log_format=json",
  "auto_explain.log_level=notice",
];

export function planCapture(url: string): PlanCapture {
  // Set at connection start-up, so every connection the pool opens explains from its first statement.
  const explaining = new URL(url);
  explaining.searchParams.set("options", AUTO_EXPLAIN.map((setting) => `-c ${setting}`).join(" "));
  const handle = createDb(explaining.toString(), { max: 1, applicationName: "alfred-plans" });
  let captured: CapturedPlan[] = [];
  handle.pool.on("connect", (client) => {
    client.on("notice", (notice) => {
      const match = /^duration: ([\d.]+) ms\s+plan:\s*([\s\S]*)$/.exec(notice.message ?? "");
      if (!match) return;
      const explained = JSON.parse(match[2]!) as { "Query Text": string; Plan: PlanNode };
      captured.push({ query: explained["Query Text"], durationMs: Number(match[1]), plan: explained.Plan });
    });
  });
  return {
    db: handle.db,
    async capture(fn) {
      captured = [];
      await fn(handle.db);
      // Notices arrive before the statement's result, so every plan is in by now.
      return captured;
    },
    close: handle.close,
  };
}

export function* planNodes(node: PlanNode): Generator<PlanNode> {
  yield node;
  for (const child of node.Plans ?? []) yield* planNodes(child);
}

/** What a plan touches, e.g. "Index Scan conversations(conversations_tenant_activity_idx), Sort top-N heapsort Memory". */
export function planSummary(plan: PlanNode): string {
  const parts: string[] = [];
  for (const node of planNodes(plan)) {
    if (node["Relation Name"] || node["Index Name"]) parts.push(`${node["Node Type"]} ${node["Relation Name"] ?? ""}${node["Index Name"] ? `(${node["Index Name"]})` : ""}`);
    else if (node["Node Type"] === "Sort" || node["Node Type"] === "Incremental Sort") parts.push(`${node["Node Type"]} ${node["Sort Method"] ?? ""} ${node["Sort Space Type"] ?? ""}`.trim());
  }
  return parts.join(", ");
}

const LARGE_TABLES = new Set(["conversations", "messages", "contacts"]);

/** What a plan must not do at volume: scan a large table sequentially, or sort on disk. */
export function planProblems(plan: PlanNode): string[] {
  const problems: string[] = [];
  for (const node of planNodes(plan)) {
    const type = node["Node Type"];
    if (type === "Seq Scan" && LARGE_TABLES.has(node["Relation Name"] ?? "")) problems.push(`Seq Scan on ${node["Relation Name"]}`);
    // A Sort reports "Sort Space Type"; an Incremental Sort reports it per group kind.
    const { Plans: _children, ...own } = node;
    if (type.endsWith("Sort") && /"Sort Space Type":"Disk"|"Sort Space Disk"/.test(JSON.stringify(own))) problems.push(`${type} spilled to disk`);
  }
  return problems;
}

/** Rows a plan read from `relation` (returned or filtered out, over all loops), by any scan but a primary key lookup. */
export function rowsRead(plan: PlanNode, relation: string): number {
  let rows = 0;
  for (const node of planNodes(plan)) {
    if (node["Relation Name"] !== relation || node["Index Name"] === `${relation}_pkey`) continue;
    const seen = (node["Actual Rows"] ?? 0) + Number(node["Rows Removed by Filter"] ?? 0) + Number(node["Rows Removed by Index Recheck"] ?? 0);
    rows += seen * (node["Actual Loops"] ?? 1);
  }
  return rows;
}
