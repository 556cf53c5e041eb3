import { randomUUID } from "node:crypto";
import { encodeCursor, eq, schema, sql } from "@alfred/db";
import { createTestDatabase, type TestDatabase } from "@alfred/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConversationFilters, listConversations } from "./conversations";
import { ingestMessage } from "./ingest";
import { conversationTimeline } from "./messages";
import { newScope } from "./scope";
import { createVolumeTenant, fillInboxes, planCapture, planProblems, rowsRead, type PlanCapture, type VolumeTenant } from "./testing";

/**
 * The inbox's read paths at a volume where the planner's choices matter (tenant A: 20k conversations,
 * 200k messages; analysed): every list filter combination and deep cursor pages are read from an
 * index reading a bounded number of rows, search and the thread never scan a large table or sort on
 * disk; and the answers are right: accents and case ignored both ways, tenant B never shows,
 * pagination neither skips nor repeats.
 */

const CONVERSATIONS = 20_000;
const MESSAGES = 200_000;
/**
 * Tenant B stands for the rest of the installation: most of the table is other tenants' rows, as in
 * production, so a plan that scans the table is as bad here as it would be there.
 */
const OTHER_TENANTS = { conversations: 60_000, messages: 60_000 };
/** Rows of `conversations` a list page may read: an index walk with a dense filter stays far below. */
const LIST_ROWS_READ = 1_000;

let database: TestDatabase;
let plans: PlanCapture;
let a: VolumeTenant;
let b: VolumeTenant;
const markers = { a: {} as Record<string, string>, b: {} as Record<string, string> };

const tenantChannels = (name: string) => [
  { type: "whatsapp" as const, name: `${name} WhatsApp`, weight: 0.55 },
  { type: "email" as const, name: `${name} E-mail`, weight: 0.25 },
  { type: "instagram" as const, name: `${name} Instagram`, weight: 0.19 },
  { type: "api" as const, name: `${name} API`, weight: 0.01 },
];

/** A customer message stored the way a webhook stores it: the newest activity of its tenant. */
async function customerWrites(tenant: VolumeTenant, from: { name?: string; phone?: string; email?: string }, body: string) {
  const [channel] = await database.db.select().from(schema.channels).where(eq(schema.channels.id, tenant.channels[0]!.id));
  const result = await ingestMessage(database.db, newScope(tenant.tenantId, { type: "system", id: null }), channel!, {
    externalId: `marker-${randomUUID()}`,
    channelAccountId: channel!.id,
    from: { externalId: `marker-sender-${randomUUID()}`, ...from },
    type: "text",
    body,
    sentAt: new Date(),
    raw: {},
  });
  return result.conversationId;
}

/** The same people and words in both tenants: a search in A must find only A's. */
async function writeMarkers(tenant: VolumeTenant) {
  return {
    person: await customerWrites(tenant, { name: "Zuleica Ñandú Brandão", phone: "+55 11 97777-0001", email: "zuleica.nandu@exemplo.com.br" }, "oi"),
    accented: await customerWrites(tenant, {}, "Atenção: o pedido da Jabuticabeirão chegou"),
    unaccented: await customerWrites(tenant, {}, "voce viu a promocao do xilografo?"),
  };
}

beforeAll(async () => {
  database = await createTestDatabase();
  const client = await database.pool.connect();
  try {
    const passwordHash = "not-a-password-hash";
    a = await createVolumeTenant(client, { name: "Tenant A", agents: 10, passwordHash, channels: tenantChannels("A") });
    b = await createVolumeTenant(client, { name: "Tenant B", agents: 2, passwordHash, channels: tenantChannels("B") });
    await fillInboxes(client, [
      { tenant: a, conversations: CONVERSATIONS, messages: MESSAGES },
      { tenant: b, ...OTHER_TENANTS },
    ]);
  } finally {
    client.release();
  }
  markers.b = await writeMarkers(b);
  markers.a = await writeMarkers(a);
  plans = planCapture(database.url);
}, 240_000);

afterAll(async () => {
  await plans?.close();
  await database?.destroy();
});

const list = (filters: ConversationFilters, tenant = a) => listConversations(database.db, tenant.tenantId, tenant.agentIds[0]!, filters);
const ids = async (filters: ConversationFilters, tenant = a) => (await list(filters, tenant)).items.map((c) => c.id);

async function walk(filters: ConversationFilters, pageSize: number) {
  const seen: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await list({ ...filters, cursor, limit: pageSize });
    seen.push(...page.items.map((c) => c.id));
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return seen;
}

/** A cursor `depth` conversations into tenant A's unfiltered list: deep in every filtered list too. */
async function cursorAt(depth: number) {
  const { rows } = await database.pool.query<{ at: string; id: string }>(
    `select to_char(last_activity_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at, id from conversations where tenant_id = $1 order by last_activity_at desc, id desc offset $2 limit 1`,
    [a.tenantId, depth],
  );
  return encodeCursor(rows[0]!.at, rows[0]!.id);
}

function filterCombinations(): (ConversationFilters & { label: string })[] {
  const statuses = [undefined, "open", "resolved", "snoozed"] as const;
  const assignees = [undefined, "me", "unassigned", a.agentIds[5]!];
  const channels = [undefined, a.channels[0]!.id, a.channels[3]!.id];
  return statuses.flatMap((status) =>
    assignees.flatMap((assignee) =>
      channels.map((channelId) => ({ status, assignee, channelId, label: `status=${status ?? "-"} assignee=${assignee === a.agentIds[5] ? "<user>" : (assignee ?? "-")} channel=${channelId === a.channels[3]!.id ? "small" : channelId ? "large" : "-"}` })),
    ),
  );
}

describe("plans at volume", () => {
  it("every list filter combination, first and deep pages: an index, no sequential scan or disk sort, a bounded read", async () => {
    const deep = await cursorAt(Math.floor(CONVERSATIONS * 0.6));
    const failures: string[] = [];
    for (const { label, ...filters } of filterCombinations()) {
      for (const [page, cursor] of [["first", undefined], ["deep", deep]] as const) {
        const captured = await plans.capture((db) => listConversations(db, a.tenantId, a.agentIds[0]!, { ...filters, cursor }));
        const [statement] = captured;
        const problems = captured.flatMap((c) => planProblems(c.plan));
        const read = statement ? rowsRead(statement.plan, "conversations") : 0;
        if (read > LIST_ROWS_READ) problems.push(`read ${read} conversations`);
        if (problems.length) failures.push(`${label} (${page} page): ${problems.join(", ")}`);
      }
    }
    expect(failures).toEqual([]);
  });

  it.each([
    ["name", "Zuleica Ñandú"],
    ["name, unaccented", "zuleica nandu"],
    ["common first name", "maria"],
    ["phone digits", "977770001"],
    ["phone as typed", "97777-0001"],
    ["e-mail", "zuleica.nandu@"],
    ["common word", "que"],
    ["rare word", "jabuticabeirao"],
    ["accented word", "atenção"],
    ["prefix of the last word", "promocao xilogr"],
    ["short query", "jo"],
  ])("search by %s: no sequential scan, no sort on disk", async (_kind, q) => {
    for (const filters of [{ q }, { q, status: "open" as const }, { q, assignee: "me", channelId: a.channels[0]!.id }]) {
      const captured = await plans.capture((db) => listConversations(db, a.tenantId, a.agentIds[0]!, filters));
      expect(captured.flatMap((c) => planProblems(c.plan))).toEqual([]);
    }
  });

  it("opening the longest thread reads one page of messages, not the whole thread", async () => {
    const { rows } = await database.pool.query<{ id: string; messages: number }>(
      `select conversation_id as id, count(*)::int as messages from messages where tenant_id = $1 group by 1 order by 2 desc limit 1`,
      [a.tenantId],
    );
    const longest = rows[0]!;
    expect(longest.messages).toBeGreaterThan(200);
    const first = await conversationTimeline(database.db, a.tenantId, longest.id, { limit: 50 });
    for (const cursor of [undefined, first.next_cursor!]) {
      const captured = await plans.capture((db) => conversationTimeline(db, a.tenantId, longest.id, { cursor, limit: 50 }));
      expect(captured.flatMap((c) => planProblems(c.plan))).toEqual([]);
      expect(rowsRead(captured[captured.length - 1]!.plan, "messages")).toBeLessThanOrEqual(51);
    }
  });

  it("the plan checks catch a sequential scan and a sort that spills to disk", async () => {
    const [scan] = await plans.capture((db) => db.execute(sql`select count(*) from messages where body like '%x%'`));
    expect(planProblems(scan!.plan)).toContain("Seq Scan on messages");
    const spilled = await plans.capture((db) =>
      db.transaction(async (tx) => {
        await tx.execute(sql`set local work_mem = '64kB'`);
        await tx.execute(sql`select id from contacts order by name`);
      }),
    );
    expect(spilled.flatMap((c) => planProblems(c.plan))).toContain("Sort spilled to disk");
  });
});

describe("search answers", () => {
  it.each([
    ["an accented name", "Zuleica Ñandú"],
    ["the name without accents, any case", "ZULEICA NANDU"],
    ["part of the name", "andú Bran"],
    ["the phone's digits", "977770001"],
    ["the phone as typed", "97777-0001"],
    ["the e-mail, any case", "ZULEICA.NANDU@EXEMPLO"],
  ])("finds the contact by %s", async (_what, q) => {
    expect(await ids({ q })).toEqual([markers.a.person]);
  });

  it.each([
    ["an accented word typed without accents", "jabuticabeirao", "accented"],
    ["an accented word in capitals", "JABUTICABEIRÃO", "accented"],
    ["an unaccented word typed with accents", "xilógrafo", "unaccented"],
    ["whole words plus a prefix of the last one", "promoção xilogr", "unaccented"],
  ])("finds the message by %s", async (_what, q, marker) => {
    expect(await ids({ q })).toEqual([markers.a[marker]]);
  });

  it("matches message words whole, not inside other words", async () => {
    expect(await ids({ q: "abuticabeirão" })).toEqual([]);
  });

  it("is accent- and case-insensitive both ways over the generated inbox too", async () => {
    for (const [accented, plain] of [["atenção", "ATENCAO"], ["João", "joao"], ["Conceição", "conceicao"]]) {
      const found = await ids({ q: accented!, limit: 100 });
      expect(found.length).toBeGreaterThan(0);
      expect(await ids({ q: plain!, limit: 100 })).toEqual(found);
    }
  });

  it("LIKE wildcards in q are literal", async () => {
    expect(await ids({ q: "%" })).toEqual([]);
    expect(await ids({ q: "_" })).toEqual([]);
  });

  it("text-search operators and quotes in q are plain text, never a query syntax error", async () => {
    for (const q of ["'", "\\", "a'b", "it's", "x&y|z", "(((", "<->", ":*", "%_\\'"]) {
      await expect(ids({ q }), q).resolves.toEqual(expect.any(Array));
    }
    expect(await ids({ q: "!jabuticabeirao" })).toEqual([markers.a.accented]);
    expect(await ids({ q: "Jabuticabeirão'" })).toEqual([markers.a.accented]);
  });

  it("never shows tenant B's conversations, which hold the same people and words", async () => {
    const tenantB = new Set(Object.values(markers.b));
    for (const q of ["Zuleica", "977770001", "jabuticabeirao", "xilografo", "maria", "que"]) {
      const found = await ids({ q, limit: 100 });
      expect(found.filter((id) => tenantB.has(id))).toEqual([]);
      const { rows } = await database.pool.query<{ tenant_id: string }>(`select distinct tenant_id from conversations where id = any($1)`, [found]);
      expect(rows.map((r) => r.tenant_id)).toEqual([a.tenantId]);
    }
    expect(await ids({ q: "Zuleica" }, b)).toEqual([markers.b.person]);
  });
});

describe("pagination at volume", () => {
  const reference = async (where: string, values: unknown[]) =>
    (await database.pool.query<{ id: string }>(`select c.id from conversations c where c.tenant_id = $1 and ${where} order by c.last_activity_at desc, c.id desc`, [a.tenantId, ...values])).rows.map(
      (r) => r.id,
    );

  it("walks a filtered list page by page without skipping or repeating a conversation", async () => {
    expect(await walk({ status: "open" }, 100)).toEqual(await reference(`c.status = 'open'`, []));
  });

  it("merges the per-status pages of a channel list in order, ties included", async () => {
    const small = a.channels[3]!.id;
    // Conversations of every status sharing one timestamp: only the id orders them.
    await database.pool.query(`update conversations set last_activity_at = '2031-01-01T00:00:00.123456Z' where channel_id = $1 and id in (select id from conversations where channel_id = $1 order by md5(id::text) limit 40)`, [small]);
    const expected = await reference(`c.channel_id = $2`, [small]);
    expect(expected.length).toBeGreaterThan(100);
    expect(await walk({ channelId: small }, 7)).toEqual(expected);
  });

  it("walks search results page by page in the list's order", async () => {
    const expected = await reference(
      `(exists (select 1 from contacts ct where ct.id = c.contact_id and ct.search_text ilike '%vitoria%')
        or exists (select 1 from messages m where m.conversation_id = c.id and m.search_vector @@ to_tsquery('alfred_search', 'vitoria:*')))`,
      [],
    );
    expect(expected.length).toBeGreaterThan(50);
    expect(await walk({ q: "Vitória" }, 25)).toEqual(expected);
  });
});
