import { createAiProvider, instrumentProvider, leadScoreFromClassification, type AiCallRecord, type AiEnv, type AiProvider, type JsonPoster } from "@alfred/rules";
import { and, eq, isNull, sql, type Database } from "@alfred/db";
import { aiEvents, contacts, conversations, messages, type MessageClassification } from "@alfred/db/schema";
import { EgressError, type EgressClient } from "@alfred/egress";
import { updateContact } from "./contacts";
import { newScope, type Scope } from "./scope";

/**
 * The chat-completions client's HTTP seam on the SSRF-guarded egress client. AI_BASE_URL comes from
 * the deployment, not a tenant, but it carries the API key: it goes through the same guard and
 * allow-list as every other outbound call (a model on a private address is allow-listed explicitly).
 */
export function egressJsonPoster(egress: EgressClient): JsonPoster {
  return {
    async postJson(url, body, { headers, timeoutMs }) {
      try {
        const response = await egress.postJson(url, JSON.stringify(body), { headers, timeoutMs, maxResponseBytes: 1024 * 1024 });
        const retryAfter = response.headers["retry-after"];
        return { status: response.status, body: response.text, headers: { "retry-after": Array.isArray(retryAfter) ? retryAfter[0] : retryAfter } };
      } catch (err) {
        // The chat client retries timeouts by this name; any other failure is a transport error.
        if (err instanceof EgressError && err.kind === "timeout") throw Object.assign(new Error(err.message), { name: "TimeoutError" });
        throw err;
      }
    },
  };
}

/** The deployment's provider: the local heuristic unless AI_BASE_URL (and AI_MODEL) name a model. */
export function aiProviderFor(env: AiEnv, egress: EgressClient): AiProvider {
  return createAiProvider(env, egressJsonPoster(egress));
}

/** One `ai_events` row per provider call: sizes and outcome, never the text, the answer or the key. */
export async function recordAiCall(db: Database, tenantId: string, call: AiCallRecord, messageId: string | null = null): Promise<void> {
  await db.insert(aiEvents).values({
    tenantId,
    purpose: call.purpose,
    provider: call.provider,
    model: call.model,
    messageId,
    latencyMs: call.latency_ms,
    inputChars: call.input_chars,
    outcome: call.outcome,
    errorKind: call.error_kind,
  });
}

export type ClassifyOutcome =
  | { status: "classified"; classification: MessageClassification; lead_score: { previous: number; score: number; changed: boolean } }
  /** Already classified (a repeated job), not an inbound text message, or gone. */
  | { status: "skipped"; reason: "already_classified" | "not_found" | "no_text" };

/**
 * Classifies one stored inbound message and moves its contact's lead score. Runs in the worker's
 * classification job, after the receipt that stored the message committed: the provider call (up
 * to seconds, with retries) happens outside any transaction, and a provider failure leaves the
 * message as it is (unclassified), with the failure in `ai_events`, and is thrown for the job to retry.
 *
 * The classification and the score change commit together, guarded by "not classified yet", so a
 * repeated job never counts a message twice; `lead.score_changed` is recorded only when the score moved.
 */
export async function classifyMessage(deps: { db: Database; provider: AiProvider }, job: { tenantId: string; messageId: string; correlationId?: string | null }): Promise<{ outcome: ClassifyOutcome; scope: Scope }> {
  const scope = newScope(job.tenantId, { type: "system", id: null }, job.correlationId ?? null);
  const [message] = await deps.db
    .select({ body: messages.body, direction: messages.direction, classification: messages.aiClassification, conversationId: messages.conversationId, contactId: conversations.contactId })
    .from(messages)
    .innerJoin(conversations, and(eq(conversations.id, messages.conversationId), eq(conversations.tenantId, messages.tenantId)))
    .where(and(eq(messages.tenantId, job.tenantId), eq(messages.id, job.messageId)));
  if (!message) return { outcome: { status: "skipped", reason: "not_found" }, scope };
  if (message.classification) return { outcome: { status: "skipped", reason: "already_classified" }, scope };
  if (message.direction !== "in" || !message.body?.trim()) return { outcome: { status: "skipped", reason: "no_text" }, scope };

  const provider = instrumentProvider(deps.provider, (call) => recordAiCall(deps.db, job.tenantId, call, job.messageId));
  const result = await provider.classify({ text: message.body });
  const classification: MessageClassification = {
    intent: result.intent,
    sentiment: result.sentiment,
    language: result.language,
    confidence: result.confidence,
    provider: deps.provider.name,
    provider_label: deps.provider.label,
    classified_at: new Date().toISOString(),
  };

  const outcome = await deps.db.transaction(async (tx): Promise<ClassifyOutcome> => {
    const [stored] = await tx
      .update(messages)
      .set({ aiClassification: classification })
      .where(and(eq(messages.tenantId, job.tenantId), eq(messages.id, job.messageId), isNull(messages.aiClassification)))
      .returning({ id: messages.id });
    if (!stored) return { status: "skipped", reason: "already_classified" };
    // Locked before reading: two messages of one contact classified at once both count.
    const [contact] = await tx.select({ leadScore: contacts.leadScore }).from(contacts).where(and(eq(contacts.tenantId, job.tenantId), eq(contacts.id, message.contactId))).for("update");
    const change = leadScoreFromClassification(contact!.leadScore, result);
    if (change.changed) await updateContact(tx, scope, message.contactId, { leadScore: change.score });
    scope.effects.live.push({ tenantId: job.tenantId, kind: "message.classified", conversationId: message.conversationId, messageId: job.messageId, data: { contact_id: message.contactId, lead_score: change.score } });
    return { status: "classified", classification, lead_score: { previous: change.previous_score, score: change.score, changed: change.changed } };
  });
  return { outcome, scope };
}

/**
 * Recent inbound text messages still unclassified with no provider call recorded for them: their
 * job was lost (Redis down when the receipt committed). Ones that failed at the provider have an
 * `ai_events` row and are left alone (their job retried; an operator sees the errors).
 */
export async function unclassifiedMessages(db: Database, options: { olderThanSeconds?: number; withinHours?: number; limit?: number } = {}): Promise<{ messageId: string; tenantId: string }[]> {
  const rows = await db.execute<{ id: string; tenant_id: string }>(sql`
    select m.id, m.tenant_id from messages m
    where m.direction = 'in' and m.ai_classification is null and m.body is not null and btrim(m.body) <> ''
      and m.created_at < now() - make_interval(secs => ${options.olderThanSeconds ?? 60})
      and m.created_at > now() - make_interval(hours => ${options.withinHours ?? 24})
      and not exists (select 1 from ai_events e where e.message_id = m.id)
    order by m.created_at
    limit ${options.limit ?? 500}`);
  return rows.rows.map((r) => ({ messageId: r.id, tenantId: r.tenant_id }));
}
