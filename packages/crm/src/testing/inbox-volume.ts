import { randomUUID } from "node:crypto";
import type pg from "pg";
import { AGENT_NAMES, EMAIL_DOMAINS, EMAIL_SUBJECTS, ENGLISH_WORDS, FIRST_NAMES, PORTUGUESE_WORDS, SURNAMES, TAIL_SYLLABLES, words } from "./inbox-vocabulary";

/**
 * Inboxes at volume for plan tests and benchmarks, written with set-based SQL (generate_series,
 * one statement per table) so a million messages take seconds, not hours. The shape is meant to
 * look like a real tenant to the planner: skewed statuses, assignees, channels and thread lengths,
 * Zipf-distributed Portuguese and English words with accents, accented names, phones, e-mails.
 */

type Client = pg.ClientBase;

export interface VolumeChannel {
  id: string;
  type: "whatsapp" | "messenger" | "instagram" | "email" | "api";
  name: string;
  /** Share of the tenant's conversations. */
  weight: number;
}

export interface VolumeTenant {
  tenantId: string;
  agentIds: string[];
  channels: VolumeChannel[];
}

export interface VolumeTenantSpec {
  name: string;
  agents: number;
  channels: Omit<VolumeChannel, "id">[];
  /** A password hash every generated user shares (the caller decides whether anyone can sign in). */
  passwordHash: string;
}

/** A tenant with its agents (memberships) and channels, ready for `fillInbox`. */
export async function createVolumeTenant(client: Client, spec: VolumeTenantSpec): Promise<VolumeTenant> {
  const tenantId = (await client.query<{ id: string }>("insert into tenants (name) values ($1) returning id", [spec.name])).rows[0]!.id;
  const tag = randomUUID().slice(0, 8);
  const agentNames = Array.from({ length: spec.agents }, (_, i) => AGENT_NAMES[i % AGENT_NAMES.length]!);
  const users = await client.query<{ id: string }>(
    `insert into users (email, name, password_hash)
     select 'agent-' || i || '-' || $2 || '@volume.alfred.test', n, $3 from unnest($1::text[]) with ordinality u(n, i) order by i returning id`,
    [agentNames, tag, spec.passwordHash],
  );
  const agentIds = users.rows.map((r) => r.id);
  await client.query(`insert into memberships (tenant_id, user_id, role) select $1, u, 'agent' from unnest($2::uuid[]) u`, [tenantId, agentIds]);
  const channels: VolumeChannel[] = [];
  for (const channel of spec.channels) {
    const { rows } = await client.query<{ id: string }>("insert into channels (tenant_id, type, name, external_id) values ($1, $2, $3, $4) returning id", [
      tenantId,
      channel.type,
      channel.name,
      `volume-${randomUUID()}`,
    ]);
    channels.push({ ...channel, id: rows[0]!.id });
  }
  return { tenantId, agentIds, channels };
}

export interface FillTimings {
  contactsAndConversations: number;
  messages: number;
  indexes: number;
  vacuumAnalyze: number;
}

export interface InboxFill {
  tenant: VolumeTenant;
  /** One new contact each; a few contacts get two. */
  conversations: number;
  /** Exactly this many, at least one per conversation. */
  messages: number;
}

const BULK_TABLES = ["contacts", "contact_identities", "conversations", "messages"];

/**
 * Fills each tenant's inbox in one transaction. Secondary indexes of the bulk tables are dropped for
 * the load and rebuilt once from their own definitions afterwards; then the tables are vacuumed and
 * analysed, so the planner sees the volume.
 */
export async function fillInboxes(client: Client, fills: InboxFill[]): Promise<FillTimings> {
  for (const fill of fills) if (fill.messages < fill.conversations) throw new Error("every conversation needs at least one message");
  const timings: FillTimings = { contactsAndConversations: 0, messages: 0, indexes: 0, vacuumAnalyze: 0 };
  const step = async (name: keyof FillTimings, fn: () => Promise<unknown>) => {
    const started = performance.now();
    await fn();
    timings[name] += performance.now() - started;
  };

  await client.query("begin");
  // Generated rows are consistent by construction: skip the per-row foreign key triggers.
  await client.query("set local session_replication_role = replica");
  await client.query("set local work_mem = '256MB'");
  await client.query("set local maintenance_work_mem = '512MB'");
  // These statements are estimated at millions of rows: compiling them with JIT costs more than running them.
  await client.query("set local jit = off");
  const { rows: indexes } = await client.query<{ name: string; definition: string }>(
    `select i.relname as name, pg_get_indexdef(i.oid) as definition
     from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class t on t.oid = x.indrelid
     where t.relname = any($1) and t.relnamespace = 'public'::regnamespace and not exists (select 1 from pg_constraint c where c.conindid = i.oid)`,
    [BULK_TABLES],
  );
  for (const index of indexes) await client.query(`drop index "${index.name}"`);
  for (const fill of fills) {
    await step("contactsAndConversations", async () => {
      await planConversations(client, fill);
      await insertContactsAndConversations(client, fill.tenant);
    });
    await step("messages", () => insertMessages(client, fill.tenant));
    await client.query("drop table volume_conversation, volume_vocabulary, volume_message, volume_body");
  }
  await step("indexes", async () => {
    for (const index of indexes) await client.query(index.definition);
  });
  await client.query("commit");
  await step("vacuumAnalyze", () => client.query(`vacuum (analyze) ${BULK_TABLES.join(", ")}`));
  return timings;
}

async function planConversations(client: Client, { tenant, conversations, messages }: InboxFill) {
  const total = tenant.channels.reduce((sum, c) => sum + c.weight, 0);
  let acc = 0;
  const lowerBounds = tenant.channels.map((c) => ((acc += c.weight) - c.weight) / total);
  await client.query(
    `create temp table volume_conversation as
     with base as (
       select n, random() as r_channel, random() as r_age, random() as r_status, random() as r_assignee, random() as r_agent,
              random() as r_count, random() as r_gap, random() as r_lang, random() as r_other, random() as r_shared,
              random() as r_extra, random() as r_first, random() as r_last, random() as r_last2, random() as r_particle, random() as r_anonymous
       from generate_series(1, $1::int) n
     ), aged as (
       -- Most conversations are old and resolved; the last two weeks hold most of the open work.
       select b.*, 730 * power(b.r_age, 1.7) as age_days, width_bucket(b.r_channel, $2::float8[]) as channel_index,
              6.4 * (power(b.r_count, -0.6) - 1) as extra
       from base b
     ), statused as (
       select a.*, (case when age_days < 14 then
                      case when r_status < 0.40 then 'open' when r_status < 0.55 then 'pending' when r_status < 0.65 then 'snoozed' else 'resolved' end
                    else
                      case when r_status < 0.05 then 'open' when r_status < 0.08 then 'pending' when r_status < 0.10 then 'snoozed' else 'resolved' end
                    end)::conversation_status as status
       from aged a
     )
     select n, gen_random_uuid() as id, gen_random_uuid() as own_contact_id,
            case when r_shared < 0.06 then 1 + floor(r_other * $1)::int else n end as contact_n,
            ($3::uuid[])[channel_index] as channel_id, ($4::text[])[channel_index] as channel_type, status,
            case when (status = 'open' and r_assignee < 0.5) or r_assignee < 0.08 then null
                 else ($5::uuid[])[least(cardinality($5::uuid[]), floor(exp(r_agent * ln(cardinality($5::uuid[]) + 1)))::int)] end as assignee_id,
            extra, 0 as message_count, make_interval(secs => 60 + 14400 * power(r_gap, 3)) as gap,
            now() - make_interval(secs => age_days * 86400) as last_activity_at,
            case when r_lang < 0.75 then 'pt' else 'en' end as lang,
            r_extra, r_first, r_last, r_last2, r_particle, r_anonymous
     from statused`,
    [conversations, lowerBounds, tenant.channels.map((c) => c.id), tenant.channels.map((c) => c.type), tenant.agentIds],
  );
  // Thread lengths: one message each plus a heavy-tailed share of the rest, adding up exactly.
  await client.query(
    `with scaled as (select n, extra * ($1::float8 - count(*) over ()) / sum(extra) over () as share from volume_conversation),
          ranked as (select n, floor(share)::int as whole, row_number() over (order by share - floor(share) desc) as remainder_rank, sum(floor(share)) over () as placed from scaled)
     update volume_conversation v set message_count = 1 + r.whole + (case when r.remainder_rank <= $1 - (select count(*) from volume_conversation) - r.placed then 1 else 0 end)
     from ranked r where r.n = v.n`,
    [messages],
  );
  await client.query(`create index on volume_conversation (n)`);
  await client.query(`analyze volume_conversation`);
}

async function insertContactsAndConversations(client: Client, tenant: VolumeTenant) {
  await client.query(
    `insert into contacts (id, tenant_id, name, email, phone, created_at, updated_at)
     select v.own_contact_id, $1, person.name,
            case when v.channel_type = 'email' or v.r_extra < 0.2 then person.handle || v.n || '@' || ($4::text[])[1 + (v.n % cardinality($4::text[]))] end,
            case when v.channel_type = 'whatsapp' or v.r_extra > 0.75 then '+55' || (11 + v.n % 89) || '9' || lpad(((v.n::bigint * 48271 + $5::bigint) % 100000000)::text, 8, '0') end,
            v.last_activity_at - v.gap * v.message_count, v.last_activity_at
     from volume_conversation v
     cross join lateral (
       select ($2::text[])[least(cardinality($2::text[]), floor(exp(v.r_first * ln(cardinality($2::text[]) + 1)))::int)] as first,
              ($3::text[])[least(cardinality($3::text[]), floor(exp(v.r_last * ln(cardinality($3::text[]) + 1)))::int)] as last,
              ($3::text[])[1 + floor(v.r_last2 * cardinality($3::text[]))::int] as second_last
     ) pick
     cross join lateral (
       select case when v.r_anonymous < 0.08 and v.channel_type in ('whatsapp', 'email') then null
                   else pick.first || (case when v.r_particle < 0.1 then ' da ' when v.r_particle < 0.2 then ' de ' when v.r_particle < 0.25 then ' dos ' else ' ' end)
                        || (case when v.r_last2 < 0.35 then pick.second_last || ' ' else '' end) || pick.last end as name,
              regexp_replace(lower(translate(pick.first || '.' || pick.last, 'ÁÀÂÃÄÉÈÊËÍÌÎÏÓÒÔÕÖÚÙÛÜÇÑáàâãäéèêëíìîïóòôõöúùûüçñ', 'AAAAAEEEEIIIIOOOOOUUUUCNaaaaaeeeeiiiiooooouuuucn')), '[^a-z0-9.]', '', 'g') as handle
     ) person`,
    [tenant.tenantId, words(FIRST_NAMES), words(SURNAMES), EMAIL_DOMAINS, Math.floor(Math.random() * 1e8)],
  );
  await client.query(
    `insert into conversations (id, tenant_id, channel_id, contact_id, status, snoozed_until, assignee_id, unread_count, last_activity_at, last_inbound_at, subject, created_at, updated_at)
     select v.id, $1, v.channel_id, owner.own_contact_id, v.status,
            case when v.status = 'snoozed' then now() + make_interval(hours => 1 + (v.n % 72)) end, v.assignee_id,
            case when v.status in ('open', 'pending') then v.n % 4 else 0 end,
            v.last_activity_at, v.last_activity_at,
            case when v.channel_type = 'email' then ($2::text[])[1 + v.n % cardinality($2::text[])] end,
            v.last_activity_at - v.gap * v.message_count, v.last_activity_at
     from volume_conversation v join volume_conversation owner on owner.n = v.contact_n`,
    [tenant.tenantId, EMAIL_SUBJECTS],
  );
  await client.query(
    `insert into contact_identities (tenant_id, contact_id, channel_id, external_id)
     select distinct on (c.channel_id, c.contact_id) $1::uuid, c.contact_id, c.channel_id,
            coalesce(case ch.type when 'whatsapp' then ltrim(ct.phone, '+') when 'email' then ct.email end, 'volume-' || c.contact_id)
     from conversations c join volume_conversation v on v.id = c.id join contacts ct on ct.id = c.contact_id join channels ch on ch.id = c.channel_id`,
    [tenant.tenantId],
  );
}

async function insertMessages(client: Client, tenant: VolumeTenant) {
  await client.query(
    `create temp table volume_vocabulary as
     with tail as (
       select s1 || s2 || s3 as word from unnest($3::text[]) s1, unnest($3::text[]) s2, unnest($3::text[]) s3 order by md5(s1 || s2 || s3) limit 12000
     )
     select 'pt' as lang, rank::int, word from unnest($1::text[]) with ordinality w(word, rank)
     union all select 'pt', cardinality($1::text[]) + row_number() over (order by word)::int, word from tail
     union all select 'en', rank::int, word from unnest($2::text[]) with ordinality w(word, rank)
     union all select 'en', cardinality($2::text[]) + row_number() over (order by word)::int, word from tail`,
    [words(PORTUGUESE_WORDS), words(ENGLISH_WORDS), TAIL_SYLLABLES],
  );
  await client.query(`analyze volume_vocabulary`);
  await client.query(`create temp table volume_message as
    select row_number() over () as m, v.id as conversation_id, v.channel_id, v.n, j, v.lang, v.assignee_id,
           v.last_activity_at - v.gap * (v.message_count - j) as created_at,
           case when j = 1 or random() < 0.55 then 'in' else 'out' end::message_direction as direction,
           case when random() < 0.03 then 20 + floor(random() * 30)::int else 1 + floor(12 * power(random(), 1.6))::int end as word_count,
           random() as r_kind, random() as r_style
    from volume_conversation v, generate_series(1, v.message_count) j`);
  await client.query(`analyze volume_message`);
  // Ranks drawn from a Zipf distribution (exponent 1.2, by inverting its continuous CDF): a few words
  // are in most messages, most words in a handful.
  await client.query(`create temp table volume_body as
    select w.m, string_agg(vv.word, ' ' order by w.k) as body
    from (select p.m, p.lang, k, least(s.size, floor(power(1 - random() * (1 - power(s.size + 1, -0.2)), -5)))::int as rank
          from volume_message p join (select lang, count(*)::float8 as size from volume_vocabulary group by lang) s using (lang), generate_series(1, p.word_count) k) w
    join volume_vocabulary vv on vv.lang = w.lang and vv.rank = w.rank
    group by w.m`);
  await client.query(`analyze volume_body`);
  await client.query(
    `insert into messages (tenant_id, conversation_id, channel_id, direction, type, body, raw_payload, external_id, status, sender_user_id, provider_timestamp, created_at, updated_at)
     select $1, p.conversation_id, p.channel_id, p.direction,
            case when p.r_kind < 0.03 then 'image' when p.r_kind < 0.04 then 'audio' else 'text' end,
            case when p.r_kind >= 0.015 and p.r_kind < 0.03 or p.r_kind >= 0.04 then styled.body end,
            case when p.direction = 'in' then jsonb_build_object('id', 'volume-' || p.n || '-' || p.j, 'timestamp', extract(epoch from p.created_at)::bigint) end,
            'volume-' || p.n || '-' || p.j,
            (case when p.direction = 'in' then 'received' when p.r_style < 0.6 then 'read' when p.r_style < 0.9 then 'delivered' when p.r_style < 0.99 then 'sent' else 'failed' end)::message_status,
            case when p.direction = 'out' then coalesce(p.assignee_id, ($2::uuid[])[1 + p.n % cardinality($2::uuid[])]) end,
            case when p.direction = 'in' then p.created_at end, p.created_at, p.created_at
     from volume_message p join volume_body b using (m)
     cross join lateral (
       -- Some customers type without accents, a few in capitals; some messages quote an order number.
       select case when p.r_style < 0.2 then translate(t.body, 'áàâãäéèêëíìîïóòôõöúùûüçñÁÀÂÃÉÊÍÓÔÕÚÇ', 'aaaaaeeeeiiiiooooouuuucnAAAAEEIOOOUC')
                   when p.r_style < 0.24 then upper(t.body) else t.body end as body
       from (select upper(left(b.body, 1)) || substr(b.body, 2)
                    || (case when p.m % 25 = 0 then ' pedido #' || (100000 + (p.m * 7919) % 900000) else '' end)
                    || (array['', '.', '?', '!', '...'])[1 + (p.m % 5)::int] as body) t
     ) styled`,
    [tenant.tenantId, tenant.agentIds],
  );
}
