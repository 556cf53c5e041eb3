import { checkTimestamp, currentSecrets, verifyAlfredSignature } from "@alfred/automation";
import { AppError, CORRELATION_HEADER, errorBody, isAppError, metrics } from "@alfred/core";
import { newScope } from "@alfred/crm";
import { and, eq, isDatabaseUnavailable, recordAudit, sql } from "@alfred/db";
import { automationCallbackEvents, automationDestinations, automationEvents } from "@alfred/db/schema";
import type { ApiDeps } from "../context";
import { databaseUnavailable } from "../errors";
import { refuseUnstorableInput } from "../input-guard";
import { observeRequest } from "../observe";
import { readBodyLimited } from "../read-body";
import { runAction, validateAction, type ValidatedAction } from "./actions";

export const MAX_CALLBACK_BYTES = 256 * 1024;
/** How long a repeat waits for the first copy of a callback still running, before answering 409. */
export const CALLBACK_WAIT_MS = 5_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface StoredResponse {
  status: number;
  body: string;
}

function reply(stored: StoredResponse, correlationId: string, replay: boolean): Response {
  const headers: Record<string, string> = { "content-type": "application/json", [CORRELATION_HEADER]: correlationId };
  if (replay) headers["x-alfred-idempotent-replay"] = "true";
  return new Response(stored.body, { status: stored.status, headers });
}

function invalidSignature(): AppError {
  // Unknown destination and bad signature look the same: do not reveal which destinations exist.
  return new AppError("invalid_signature", "the callback signature does not verify");
}

interface VerifiedCallback {
  destination: typeof automationDestinations.$inferSelect;
  eventId: string;
  correlationId: string | null;
  body: Record<string, unknown>;
  validated: ValidatedAction;
}

/**
 * The checks, in the documented order: destination + signature (401 invalid_signature), timestamp
 * window (401 stale_timestamp), tenant (403 tenant_mismatch), enabled (403 destination_disabled),
 * action and params (422 validation_error with the field path).
 */
async function verify(request: Request, raw: string, deps: ApiDeps, now: Date): Promise<VerifiedCallback> {
  const header = (name: string) => request.headers.get(name) ?? "";
  const destinationId = header("x-alfred-destination-id");
  const tenantId = header("x-alfred-tenant-id");
  const eventId = header("x-alfred-event-id");
  const timestamp = header("x-alfred-timestamp");
  const signature = header("x-alfred-signature");

  if (!UUID.test(destinationId) || !signature || !eventId || eventId.length > 200) throw invalidSignature();
  const [destination] = await deps.db.select().from(automationDestinations).where(eq(automationDestinations.id, destinationId));
  if (!destination) throw invalidSignature();
  const secrets = currentSecrets(destination, deps.keys, now);
  if (!verifyAlfredSignature({ header: signature, secrets, timestamp, eventId, tenantId, rawBody: raw })) throw invalidSignature();

  if (checkTimestamp(timestamp, Math.floor(now.getTime() / 1000), deps.automation.replayWindowSeconds) !== "ok") {
    throw new AppError("stale_timestamp", `X-Alfred-Timestamp is outside the ${deps.automation.replayWindowSeconds} s replay window`);
  }
  if (destination.tenantId !== tenantId) throw new AppError("tenant_mismatch", "the destination does not belong to this tenant");
  if (!destination.enabled) throw new AppError("destination_disabled", "the destination is disabled");

  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw new AppError("bad_request", "request body is not valid JSON");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new AppError("validation_error", "body must be a JSON object", { path: "(root)" });
  refuseUnstorableInput(body);
  const fields = body as Record<string, unknown>;
  if (fields.tenant_id !== tenantId) throw new AppError("tenant_mismatch", "tenant_id in the body differs from X-Alfred-Tenant-Id");
  const bodyEventId = fields.event_id ?? fields.correlation_id;
  if (bodyEventId !== eventId) {
    throw new AppError("validation_error", "event_id (or correlation_id) in the body must equal X-Alfred-Event-Id", { path: fields.event_id !== undefined ? "event_id" : "correlation_id" });
  }
  const validated = validateAction(fields.action, fields.params ?? fields.payload);
  const correlation = typeof fields.correlation_id === "string" ? fields.correlation_id : null;
  return { destination, eventId, correlationId: correlation, body: fields, validated };
}

async function storedResponse(deps: ApiDeps, destinationId: string, eventId: string): Promise<StoredResponse | null> {
  const [row] = await deps.db
    .select({ status: automationCallbackEvents.status, responseStatus: automationCallbackEvents.responseStatus, responseBody: automationCallbackEvents.responseBody })
    .from(automationCallbackEvents)
    .where(and(eq(automationCallbackEvents.destinationId, destinationId), eq(automationCallbackEvents.eventId, eventId)));
  return row && row.status !== "processing" && row.responseStatus && row.responseBody !== null ? { status: row.responseStatus, body: row.responseBody } : null;
}

class AlreadyClaimed extends Error {}

/**
 * `POST /api/v1/automations/callbacks`: verify, then act exactly once per (destination, event id).
 *
 * The claim row, the domain change, the audit row and the stored response are written in ONE
 * transaction: a crash leaves all or nothing, and a fault (5xx) rolls the claim back so a retry can
 * run. A concurrent repeat blocks on the claim's unique key until the first commits (bounded by
 * lock_timeout), then replays the stored response; past the bound it gets 409 with Retry-After.
 */
export function handleCallback(request: Request, deps: ApiDeps, now: () => Date = () => new Date()): Promise<Response> {
  return observeRequest(request, "/api/v1/automations/callbacks", async ({ correlationId }) => {
    const outcome: CallbackOutcome = { action: "unknown", code: "internal_error" };
    try {
      return await runCallback(request, deps, now, correlationId, outcome);
    } finally {
      metrics().callbacks.inc(outcome);
    }
  });
}

/** The metric labels of one callback: its action (once validated) and the code it was answered with. */
interface CallbackOutcome {
  action: string;
  code: string;
}

/** The code in a stored answer: `ok` for a 200, else the error code in its body. */
function answeredCode(stored: StoredResponse): string {
  if (stored.status === 200) return "ok";
  try {
    const code = (JSON.parse(stored.body) as { error?: { code?: unknown } }).error?.code;
    return typeof code === "string" ? code : String(stored.status);
  } catch {
    return String(stored.status);
  }
}

async function runCallback(request: Request, deps: ApiDeps, now: () => Date, correlationId: string, outcome: CallbackOutcome): Promise<Response> {
  let verified: VerifiedCallback | undefined;
  try {
    const raw = await readBodyLimited(request, MAX_CALLBACK_BYTES, `callback bodies are limited to ${MAX_CALLBACK_BYTES} bytes`);
    verified = await verify(request, raw.toString("utf8"), deps, now());
    const { destination, eventId, validated } = verified;
    outcome.action = validated.action;

    // Fast path: a repeat of a finished callback never opens a transaction.
    const finished = await storedResponse(deps, destination.id, eventId);
    if (finished) {
      outcome.code = "replayed";
      return reply(finished, correlationId, true);
    }

    const scope = newScope(destination.tenantId, { type: "destination", id: destination.id }, correlationId);
    let stored: StoredResponse;
    try {
      stored = await deps.db.transaction(async (tx) => {
        await tx.execute(sql.raw(`set local lock_timeout = '${CALLBACK_WAIT_MS}ms'`));
        const linkedEventId = await linkedEvent(tx, destination.tenantId, verified!.correlationId ?? eventId);
        const [claim] = await tx
          .insert(automationCallbackEvents)
          .values({
            tenantId: destination.tenantId,
            destinationId: destination.id,
            eventId,
            correlationId: verified!.correlationId,
            linkedEventId,
            action: validated.action,
            requestBody: verified!.body,
            status: "processing",
          })
          .onConflictDoNothing({ target: [automationCallbackEvents.destinationId, automationCallbackEvents.eventId] })
          .returning({ id: automationCallbackEvents.id });
        if (!claim) throw new AlreadyClaimed();

        let response: StoredResponse;
        let outcome: "succeeded" | "failed";
        let target: { type: string; id: string } | null = null;
        try {
          // A savepoint: a refused action (4xx) leaves no half-change, yet its answer is stored.
          const done = await tx.transaction((sp) => runAction(sp, scope, validated));
          target = done.target;
          outcome = "succeeded";
          response = { status: 200, body: JSON.stringify({ ok: true, action: validated.action, event_id: eventId, result: done.result }) };
        } catch (err) {
          // A target missing from this tenant is a rejection (nothing stored); other refusals are final.
          if (!isAppError(err) || err.status >= 500 || err.code === "not_found") throw err;
          outcome = "failed";
          response = { status: err.status, body: JSON.stringify(errorBody(err.code, err.message, correlationId, err.path)) };
        }
        await tx
          .update(automationCallbackEvents)
          .set({ status: outcome, responseStatus: response.status, responseBody: response.body, resultType: target?.type ?? null, resultId: target?.id ?? null, completedAt: new Date() })
          .where(eq(automationCallbackEvents.id, claim.id));
        await recordAudit(tx, {
          tenantId: destination.tenantId,
          actorType: "destination",
          actorId: destination.id,
          action: "automation_callback_executed",
          targetType: target?.type ?? null,
          targetId: target?.id ?? null,
          correlationId,
          metadata: { callback_action: validated.action, event_id: eventId, outcome, response_status: response.status },
        });
        return response;
      });
    } catch (err) {
      if (err instanceof AlreadyClaimed || isLockTimeout(err)) {
        const replay = await storedResponse(deps, destination.id, eventId);
        if (replay) {
          outcome.code = "replayed";
          return reply(replay, correlationId, true);
        }
        throw new AppError("callback_in_progress", "this callback is still being processed; retry shortly", { retryAfterSeconds: 1 });
      }
      throw err;
    }
    if (stored.status === 200) await deps.producer.flush(scope.effects, correlationId);
    outcome.code = answeredCode(stored);
    return reply(stored, correlationId, false);
  } catch (thrown) {
    // Postgres down, or every pooled connection taken by a flood of callbacks: nothing was done
    // (the claim rolled back), so 503 and Retry-After, not 500.
    const err = !isAppError(thrown) && isDatabaseUnavailable(thrown) ? databaseUnavailable(thrown) : thrown;
    if (isAppError(err)) {
      outcome.code = err.code;
      deps.logger.info({ code: err.code, destination_id: verified?.destination.id ?? request.headers.get("x-alfred-destination-id") }, "callback rejected");
      const headers: Record<string, string> = { [CORRELATION_HEADER]: correlationId };
      if (err.retryAfterSeconds) headers["retry-after"] = String(err.retryAfterSeconds);
      return Response.json(errorBody(err.code, err.message, correlationId, err.path), { status: err.status, headers });
    }
    deps.logger.error({ err }, "callback failed");
    return Response.json(errorBody("internal_error", "internal error", correlationId), { status: 500, headers: { [CORRELATION_HEADER]: correlationId } });
  }
}

function isLockTimeout(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string } };
  return e?.code === "55P03" || e?.cause?.code === "55P03";
}

/** The outbound event a callback answers, when its correlation id names one of the tenant's events. */
async function linkedEvent(tx: Parameters<Parameters<ApiDeps["db"]["transaction"]>[0]>[0], tenantId: string, candidate: string): Promise<string | null> {
  if (!UUID.test(candidate)) return null;
  const [event] = await tx.select({ id: automationEvents.id }).from(automationEvents).where(and(eq(automationEvents.tenantId, tenantId), eq(automationEvents.id, candidate)));
  return event?.id ?? null;
}
