import { writeFileSync } from "node:fs";
import path from "node:path";
import { hashPassword } from "@alfred/auth";
import { createVolumeTenant, fillInboxes } from "@alfred/crm/testing";
import { ensureDatabase, runMigrations } from "@alfred/db/migrate";
import pg from "pg";
import { inboxTermsFile, type InboxTerms } from "./inbox-terms";

/**
 * `pnpm bench:seed-inbox`: a fresh database holding one tenant with 100k contacts, 100k
 * conversations and 1M messages (and a small second tenant, so tenant scoping is real), for
 * bench/suites/inbox.ts. Recreates the database named by BENCH_INBOX_DATABASE_URL (only a name containing
 * "bench"), prints how long it took and writes sample search terms next to this file.
 */
const url = process.env.BENCH_INBOX_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/alfred_bench_inbox";
const CONVERSATIONS = Number(process.env.BENCH_CONVERSATIONS ?? 100_000);
const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 1_000_000);
const PASSWORD = "bench-inbox-password";

const database = decodeURIComponent(new URL(url).pathname.slice(1));
if (!database.includes("bench")) throw new Error(`refusing to recreate "${database}": the inbox seed only recreates databases whose name contains "bench"`);

const started = performance.now();
const admin = new pg.Client({ connectionString: Object.assign(new URL(url), { pathname: "/postgres" }).toString() });
await admin.connect();
await admin.query(`drop database if exists "${database}" with (force)`);
await admin.end();
await ensureDatabase(url);
await runMigrations(url);

const client = new pg.Client({ connectionString: url, application_name: "alfred-seed-inbox" });
await client.connect();
const passwordHash = await hashPassword(PASSWORD);
const other = await createVolumeTenant(client, {
  name: "Bench Other",
  agents: 2,
  passwordHash,
  channels: [
    { type: "whatsapp", name: "WhatsApp Outro", weight: 0.7 },
    { type: "email", name: "E-mail Outro", weight: 0.3 },
  ],
});
const tenant = await createVolumeTenant(client, {
  name: "Bench Inbox",
  agents: 10,
  passwordHash,
  channels: [
    { type: "whatsapp", name: "WhatsApp Vendas", weight: 0.5 },
    { type: "instagram", name: "Instagram", weight: 0.18 },
    { type: "messenger", name: "Messenger", weight: 0.12 },
    { type: "email", name: "E-mail Suporte", weight: 0.19 },
    { type: "api", name: "API Loja", weight: 0.01 },
  ],
});
const timings = await fillInboxes(client, [
  { tenant: other, conversations: 2_000, messages: 20_000 },
  { tenant, conversations: CONVERSATIONS, messages: MESSAGES },
]);
const seconds = (performance.now() - started) / 1000;

const one = async <T>(text: string, values: unknown[] = []) => (await client.query<T & pg.QueryResultRow>(text, values)).rows;
const t = tenant.tenantId;
const [named] = await one<{ name: string; first: string }>(
  `select name, split_part(name, ' ', 1) as first from contacts where tenant_id = $1 and name ~ '[ãâáçéêíóôõú].* .*[ãâáçéêíóôõú]' order by created_at desc limit 1`,
  [t],
);
const [phoned] = await one<{ phone: string }>(`select phone from contacts where tenant_id = $1 and phone is not null order by created_at limit 1`, [t]);
const [mailed] = await one<{ email: string }>(`select email from contacts where tenant_id = $1 and email is not null order by created_at desc limit 1`, [t]);
const [coded] = await one<{ code: string }>(`select substring(body from '#(\\d+)') as code from messages where tenant_id = $1 and body like '%#%' limit 1`, [t]);
const [longest] = await one<{ id: string; messages: number }>(
  `select conversation_id as id, count(*)::int as messages from messages where tenant_id = $1 group by 1 order by 2 desc limit 1`,
  [t],
);
const typical = await one<{ id: string }>(`select id from conversations where tenant_id = $1 order by md5(id::text) limit 20`, [t]);
const unaccent = (s: string) => s.normalize("NFD").replace(/\p{Diacritic}/gu, "");

const terms: InboxTerms = {
  database,
  tenantId: t,
  otherTenantId: other.tenantId,
  agentIds: tenant.agentIds,
  channels: Object.fromEntries(tenant.channels.map((c) => [c.name, c.id])),
  smallChannelId: tenant.channels.find((c) => c.type === "api")!.id,
  threads: { longest: longest!.id, typical: typical.map((r) => r.id) },
  search: {
    name: [named!.name, unaccent(named!.name).toLowerCase(), named!.first, unaccent(named!.first).toLowerCase()],
    phone: [phoned!.phone.slice(5, 13), phoned!.phone],
    email: [mailed!.email, mailed!.email.split("@")[0]!.slice(0, 7)],
    commonWord: ["que", "não", "nao", "pedido"],
    rareWord: [coded!.code, ...(await rareTailWords(client, t))],
    accented: ["atenção", "informação", "endereço"],
    unaccented: ["atencao", "informacao", "endereco"],
    short: ["jo", "a"],
  },
};
const file = inboxTermsFile(database);
writeFileSync(file, `${JSON.stringify(terms, null, 2)}\n`);
await client.end();

console.log(`seeded ${database}: ${CONVERSATIONS} conversations / ${MESSAGES} messages (+ 2000 / 20000 in a second tenant) in ${seconds.toFixed(1)} s`);
console.log(`  steps (ms): ${JSON.stringify(Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, Math.round(v)])))}`);
console.log(`  agents can sign in as agent-<n>-…@volume.alfred.test with "${PASSWORD}"`);
console.log(`  sample search terms -> ${path.relative(process.cwd(), file)}`);
console.log(JSON.stringify(terms.search, null, 2));

/** Words from the long tail that occur in a few dozen messages: read from a sample of bodies. */
async function rareTailWords(db: pg.Client, tenantId: string): Promise<string[]> {
  const { rows } = await db.query<{ word: string }>(
    `select word from (select regexp_split_to_table(lower(body), '[^[:alpha:]]+') as word from messages tablesample system (2) where tenant_id = $1) w
     where length(word) >= 6 group by word having count(*) = 1 order by md5(word) limit 3`,
    [tenantId],
  );
  return rows.map((r) => r.word);
}
