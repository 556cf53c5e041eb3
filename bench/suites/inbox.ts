import path from "node:path";
import { pathToFileURL } from "node:url";
import { type ConversationFilters, conversationTimeline, listConversations } from "@alfred/crm";
import { planCapture, planSummary } from "@alfred/crm/testing";
import { createDb, type Database, type DbHandle, encodeCursor } from "@alfred/db";
import { runMigrations } from "@alfred/db/migrate";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { inboxTermsFile, readInboxTerms, type InboxTerms } from "../inbox-terms";
import { ROOT } from "../lib/processes";
import { type BenchFigure, type BenchSuite, formatTable } from "../lib/report";
import { percentile } from "../lib/stats";

/**
 * The inbox's read paths against the seeded 100k-conversation / 1M-message tenant
 * (`pnpm bench:seed-inbox` first): the conversation list under every filter combination, first and
 * deep pages; search by name, phone, e-mail and message words; and opening a thread, which is the
 * same-run baseline. All through the real crm functions, one call at a time, kinds interleaved so
 * the machine's noise falls on all of them alike.
 */
const URL_ = process.env.BENCH_INBOX_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/alfred_bench_inbox";
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 40);

type Call = (db: Database) => Promise<unknown>;
interface Kind {
  name: string;
  goal: string;
  calls: Call[];
}

function listFilterCombinations(terms: InboxTerms): ConversationFilters[] {
  const statuses = [undefined, "open", "resolved", "snoozed"] as const;
  const assignees = [undefined, "me", "unassigned", terms.agentIds[4]!];
  const channels = [undefined, terms.smallChannelId, Object.values(terms.channels)[0]!];
  return statuses.flatMap((status) => assignees.flatMap((assignee) => channels.map((channelId) => ({ status, assignee, channelId }))));
}

async function kinds(pool: DbHandle["pool"], terms: InboxTerms): Promise<Kind[]> {
  const viewer = terms.agentIds[0]!;
  // A cursor 20,000 conversations into the unfiltered list: deep in every filtered list too.
  const deep = await pool.query<{ at: string; id: string }>(
    `select to_char(last_activity_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at, id from conversations where tenant_id = $1 order by last_activity_at desc, id desc offset 20000 limit 1`,
    [terms.tenantId],
  );
  const deepCursor = encodeCursor(deep.rows[0]!.at, deep.rows[0]!.id);
  const list = (filters: ConversationFilters): Call => (d) => listConversations(d, terms.tenantId, viewer, filters);
  const search = (qs: string[]) => qs.map((q) => list({ q }));
  const combos = listFilterCombinations(terms);
  const listGoal = "p95 < 20 ms";
  const searchGoal = "p95 < 150 ms";
  return [
    { name: "thread open", goal: "baseline", calls: terms.threads.typical.map((id): Call => (d) => conversationTimeline(d, terms.tenantId, id, {})) },
    { name: "thread open, longest", goal: "—", calls: [(d) => conversationTimeline(d, terms.tenantId, terms.threads.longest, {})] },
    { name: `list first page (${combos.length} filter combinations)`, goal: listGoal, calls: combos.map((f) => list(f)) },
    { name: "list page 800+ (cursor 20k deep)", goal: listGoal, calls: combos.map((f) => list({ ...f, cursor: deepCursor })) },
    { name: "search name", goal: searchGoal, calls: search(terms.search.name) },
    { name: "search phone", goal: searchGoal, calls: search(terms.search.phone) },
    { name: "search e-mail", goal: searchGoal, calls: search(terms.search.email) },
    { name: "search common word", goal: searchGoal, calls: search(terms.search.commonWord) },
    { name: "search rare word", goal: searchGoal, calls: search(terms.search.rareWord) },
    { name: "search accented word", goal: searchGoal, calls: search(terms.search.accented) },
    { name: "search unaccented word", goal: searchGoal, calls: search(terms.search.unaccented) },
    { name: "search + status open", goal: searchGoal, calls: [...terms.search.name, ...terms.search.commonWord].map((q) => list({ q, status: "open" })) },
    { name: "search < 3 chars", goal: "answers (slower)", calls: search(terms.search.short) },
  ];
}

/** One line per kind: the scans and sorts of its first query's plan. */
async function explainKinds(list: Kind[]): Promise<string[]> {
  const capture = planCapture(URL_);
  try {
    const lines: string[] = [];
    for (const kind of list) {
      const plans = await capture.capture(kind.calls[0]!);
      // Plans without a table (alfred_unaccent folded at plan time) say nothing about access paths.
      const summaries = plans.map((p) => planSummary(p.plan)).filter(Boolean);
      lines.push(`${kind.name}: ${summaries.join(" | ")}`);
    }
    return lines;
  } finally {
    await capture.close();
  }
}

export async function measureInboxQueries(): Promise<{ figures: BenchFigure[]; plans: string[] }> {
  const terms = readInboxTerms(decodeURIComponent(new URL(URL_).pathname.slice(1)));
  const handle = createDb(URL_, { max: 1, applicationName: "alfred-bench-inbox" });
  try {
    const list = await kinds(handle.pool, terms);
    for (const kind of list) for (const call of kind.calls) await call(handle.db);
    const samples = new Map<Kind, number[]>(list.map((k) => [k, []]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const kind of list) {
        for (const [i, call] of kind.calls.entries()) {
          // Long kinds (every filter combination) run a rotating slice per round, so each kind gets ~ROUNDS*4 samples.
          if (kind.calls.length > 4 && (i + round) % Math.ceil(kind.calls.length / 4) !== 0) continue;
          const started = performance.now();
          await call(handle.db);
          samples.get(kind)!.push(performance.now() - started);
        }
      }
    }
    const stats = list.map((kind) => {
      const sorted = samples.get(kind)!.sort((a, b) => a - b);
      return { kind, n: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95) };
    });
    const thread = stats[0]!;
    const figures = stats.flatMap(({ kind, n, p50, p95 }) => [
      { name: `${kind.name}: p50`, value: p50, unit: "ms", baseline: { name: "thread open p50", value: thread.p50 }, better: "lower" as const, note: `n=${n}` },
      { name: `${kind.name}: p95`, value: p95, unit: "ms", baseline: { name: "thread open p95", value: thread.p95 }, better: "lower" as const, goal: kind.goal },
    ]);
    return { figures, plans: await explainKinds(list) };
  } finally {
    await handle.close();
  }
}

/** Seeds the 100k / 1M inbox once (about a minute; kept between runs), then measures it. */
export const inboxSuite: BenchSuite = {
  id: "inbox",
  title: "Inbox queries at 100k conversations / 1M messages",
  async run() {
    if (!existsSync(inboxTermsFile(decodeURIComponent(new URL(URL_).pathname.slice(1))))) {
      const seeded = spawnSync("pnpm", ["bench:seed-inbox"], { cwd: ROOT, stdio: "inherit", env: { ...process.env, BENCH_INBOX_DATABASE_URL: URL_ } });
      if (seeded.status !== 0) throw new Error("seeding the inbox failed");
    }
    // A database seeded by an earlier commit gets this commit's schema first (the queries read it).
    await runMigrations(URL_);
    const { figures, plans } = await measureInboxQueries();
    console.log(`plans (first query of each kind):\n${plans.map((p) => `- ${p}`).join("\n")}`);
    return figures;
  },
};

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const { figures, plans } = await measureInboxQueries();
  console.log(formatTable(figures.map((figure) => ({ suite: inboxSuite.id, figure }))));
  console.log(`\nplans (first query of each kind):\n${plans.map((p) => `- ${p}`).join("\n")}`);
}
