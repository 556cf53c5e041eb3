import { randomUUID } from "node:crypto";
import { AppError, maskSecret, type SecretKeyProvider } from "@alfred/core";
import { and, desc, eq, sql, type Database, type DbOrTx } from "@alfred/db";
import { automationDeliveries, automationDestinations, automationEvents } from "@alfred/db/schema";
import { validateTenantUrl } from "@alfred/egress";
import { prepareCredential, maskCredentialSecret, publicCredential, type CredentialInput, type PublicCredential, type StoredCredential } from "./destination-credential";
import { generateDestinationSecret, validateUserSecret } from "./destination-secret";
import { EVENT_CATALOG, TEST_EVENT_TYPE, type EventType } from "./events/catalog";
import type { AutomationSettings } from "./settings";

/**
 * Automation destinations of a tenant: CRUD, secret rotation and "send test event". Every function
 * takes the tenant id from the caller's principal and filters by it, so another tenant's id is
 * simply not found. Secrets are returned once (create, rotate) and otherwise only masked; at rest
 * they are encrypted by the key provider.
 */

export interface DestinationServiceDeps {
  db: Database;
  keys: SecretKeyProvider;
  settings: AutomationSettings;
}

type DestinationRow = typeof automationDestinations.$inferSelect;

export interface PublicDestination {
  id: string;
  name: string;
  url: string;
  event_types: string[];
  enabled: boolean;
  disabled_reason: "manual" | "auto_failures" | "gone" | null;
  disabled_at: string | null;
  failing_since: string | null;
  secret_masked: string;
  /** While a rotated-out secret still signs: when it stops. */
  previous_secret_expires_at: string | null;
  /**
   * Which secret `X-Alfred-Body-Signature` (checked by one-secret receivers such as Activepieces'
   * Catch Webhook) uses right now: the previous one through a rotation's overlap, until it expires
   * or an admin confirms the receiver was updated; the current one otherwise.
   */
  body_signature_secret: "current" | "previous";
  /** When an admin confirmed, during the pending rotation, that the receiver checks the new secret. */
  new_secret_confirmed_at: string | null;
  /** The static credential sent with every delivery (Basic or a named header), masked; null for none. */
  credential: PublicCredential | null;
  created_at: string;
  updated_at: string;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

type RotationState = Pick<DestinationRow, "previousSecretEncrypted" | "previousSecretExpiresAt" | "newSecretConfirmedAt">;

function previousSecretLive(row: RotationState, now: Date): boolean {
  return row.previousSecretEncrypted !== null && row.previousSecretExpiresAt !== null && row.previousSecretExpiresAt > now;
}

/** A rotation whose overlap still runs and whose new secret nobody confirmed yet. */
function rotationPending(row: RotationState, now: Date): boolean {
  return previousSecretLive(row, now) && row.newSecretConfirmedAt === null;
}

export function toPublicDestination(row: DestinationRow, now = new Date()): PublicDestination {
  const previousLive = previousSecretLive(row, now);
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    event_types: row.eventTypes,
    enabled: row.enabled,
    disabled_reason: row.disabledReason,
    disabled_at: iso(row.disabledAt),
    failing_since: iso(row.failingSince),
    secret_masked: row.secretMasked,
    previous_secret_expires_at: previousLive ? iso(row.previousSecretExpiresAt) : null,
    body_signature_secret: rotationPending(row, now) ? "previous" : "current",
    new_secret_confirmed_at: previousLive ? iso(row.newSecretConfirmedAt) : null,
    credential: row.credentialKind && row.credentialName !== null && row.credentialMasked !== null ? publicCredential(row.credentialKind, row.credentialName, row.credentialMasked) : null,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

/**
 * Every secret valid right now, the current one first, then the rotated-out one while its grace
 * period lasts. Outbound deliveries sign with all of them; inbound callbacks accept any of them.
 */
export function currentSecrets(
  destination: Pick<DestinationRow, "secretEncrypted" | "previousSecretEncrypted" | "previousSecretExpiresAt">,
  keys: SecretKeyProvider,
  now: Date = new Date(),
): string[] {
  const secrets = [keys.decrypt(destination.secretEncrypted)];
  if (destination.previousSecretEncrypted && destination.previousSecretExpiresAt && destination.previousSecretExpiresAt > now) {
    secrets.push(keys.decrypt(destination.previousSecretEncrypted));
  }
  return secrets;
}

export interface SigningSecrets {
  /** Every valid secret, current first: `X-Alfred-Signature` and `webhook-signature` carry one MAC each. */
  all: string[];
  /** The one secret `X-Alfred-Body-Signature` uses (see `PublicDestination.body_signature_secret`). */
  body: string;
  /** The static credential sent next to the signatures, decrypted; null for none. */
  credential: StoredCredential | null;
}

type CredentialColumns = Pick<DestinationRow, "credentialKind" | "credentialName" | "credentialEncrypted">;

/** The destination's static credential, decrypted (for sending only). */
export function destinationCredential(destination: CredentialColumns, keys: SecretKeyProvider): StoredCredential | null {
  const { credentialKind: kind, credentialName: name, credentialEncrypted: encrypted } = destination;
  if (!kind || name === null || encrypted === null) return null;
  return { kind, name, secret: keys.decrypt(encrypted) };
}

/** The columns that store a credential (all null to remove it). */
function credentialColumns(credential: StoredCredential | null, keys: SecretKeyProvider) {
  return credential === null
    ? { credentialKind: null, credentialName: null, credentialEncrypted: null, credentialMasked: null }
    : { credentialKind: credential.kind, credentialName: credential.name, credentialEncrypted: keys.encrypt(credential.secret), credentialMasked: maskCredentialSecret(credential.secret) };
}

/**
 * The secrets one delivery is signed with. Receivers that check several signatures switch whenever
 * they like during the overlap; a receiver that checks one body signature against one configured
 * secret keeps getting the secret it has until the overlap ends or an admin confirms the switch.
 */
export function signingSecrets(destination: Pick<DestinationRow, "secretEncrypted"> & RotationState & CredentialColumns, keys: SecretKeyProvider, now: Date = new Date()): SigningSecrets {
  const all = currentSecrets(destination, keys, now);
  return { all, body: rotationPending(destination, now) && all[1] !== undefined ? all[1] : all[0]!, credential: destinationCredential(destination, keys) };
}

function normaliseEventTypes(types: readonly EventType[]): string[] {
  return [...new Set(types)];
}

async function checkedUrl(deps: DestinationServiceDeps, url: string): Promise<string> {
  const parsed = await validateTenantUrl(url, { kind: "http", path: "url" }, deps.settings);
  return parsed.href;
}

async function findRow(db: DbOrTx, tenantId: string, id: string, lock = false): Promise<DestinationRow> {
  const query = db
    .select()
    .from(automationDestinations)
    .where(and(eq(automationDestinations.tenantId, tenantId), eq(automationDestinations.id, id)));
  const [row] = lock ? await query.for("update") : await query;
  if (!row) throw new AppError("not_found", "destination not found");
  return row;
}

export interface CreateDestinationInput {
  name: string;
  url: string;
  event_types: EventType[];
  enabled?: boolean;
  secret?: string;
  credential?: CredentialInput;
}

/** The credential's password / header value, returned where it is set: the only time it is shown. */
export type WithCredentialSecret = { credential_secret?: string };

/** Creates a destination. The returned `secret` (and `credential_secret`) is the only time it is ever shown. */
export async function createDestination(
  deps: DestinationServiceDeps,
  tenantId: string,
  input: CreateDestinationInput,
): Promise<PublicDestination & { secret: string } & WithCredentialSecret> {
  const credential = input.credential === undefined ? null : prepareCredential(input.credential, "credential");
  const url = await checkedUrl(deps, input.url);
  const secret = input.secret === undefined ? generateDestinationSecret() : validateUserSecret(input.secret);
  const enabled = input.enabled ?? true;
  const [row] = await deps.db
    .insert(automationDestinations)
    .values({
      tenantId,
      name: input.name,
      url,
      secretEncrypted: deps.keys.encrypt(secret),
      secretMasked: maskSecret(secret),
      eventTypes: normaliseEventTypes(input.event_types),
      ...credentialColumns(credential, deps.keys),
      enabled,
      disabledReason: enabled ? null : "manual",
      disabledAt: enabled ? null : new Date(),
    })
    .returning();
  return { ...toPublicDestination(row!), secret, ...(credential ? { credential_secret: credential.secret } : {}) };
}

export async function listDestinations(deps: Pick<DestinationServiceDeps, "db">, tenantId: string): Promise<PublicDestination[]> {
  const rows = await deps.db
    .select()
    .from(automationDestinations)
    .where(eq(automationDestinations.tenantId, tenantId))
    .orderBy(desc(automationDestinations.createdAt), desc(automationDestinations.id));
  const now = new Date();
  return rows.map((row) => toPublicDestination(row, now));
}

export interface DestinationHealth {
  /** Share of delivery attempts (tests included) in the last 24 h that got a 2xx; null without attempts. */
  success_rate_24h: number | null;
  p95_latency_ms_24h: number | null;
  /** The most recent failed attempt (within 30 days). */
  last_failure: { at: string; status_code: number | null; error: string | null } | null;
  /** Deliveries currently in `failed` (what "retry failed" would pick up). */
  failed_deliveries: number;
}

export const EMPTY_DESTINATION_HEALTH: DestinationHealth = { success_rate_24h: null, p95_latency_ms_24h: null, last_failure: null, failed_deliveries: 0 };

/**
 * Health of every destination of a tenant, in one statement: attempts of the last 24 h (range scan
 * of `automation_delivery_attempts_tenant_idx`), the latest failure within 30 days, and the failed
 * deliveries (`automation_deliveries_tenant_status_idx`). Destinations with no data are absent.
 */
export async function destinationHealth(db: DbOrTx, tenantId: string): Promise<Map<string, DestinationHealth>> {
  const result = await db.execute<{
    destination_id: string;
    attempts: number | null;
    succeeded: number | null;
    p95: number | null;
    failure_at: Date | string | null;
    failure_status: number | null;
    failure_error: string | null;
    failed_deliveries: number | null;
  }>(sql`
    with recent as (
      select d.destination_id,
             count(*)::int as attempts,
             (count(*) filter (where a.error_class is null))::int as succeeded,
             percentile_cont(0.95) within group (order by a.duration_ms) as p95
        from automation_delivery_attempts a
        join automation_deliveries d on d.id = a.delivery_id and d.tenant_id = a.tenant_id
       where a.tenant_id = ${tenantId} and a.started_at >= now() - interval '24 hours'
       group by d.destination_id
    ), failure as (
      select distinct on (d.destination_id) d.destination_id, a.started_at as failure_at, a.status_code as failure_status,
             coalesce(a.error_message, a.error_class) as failure_error
        from automation_delivery_attempts a
        join automation_deliveries d on d.id = a.delivery_id and d.tenant_id = a.tenant_id
       where a.tenant_id = ${tenantId} and a.started_at >= now() - interval '30 days' and a.error_class is not null
       order by d.destination_id, a.started_at desc
    ), failed as (
      select destination_id, count(*)::int as failed_deliveries
        from automation_deliveries
       where tenant_id = ${tenantId} and status = 'failed'
       group by destination_id
    )
    , keys as (select destination_id from recent union select destination_id from failure union select destination_id from failed)
    select k.destination_id, r.attempts, r.succeeded, r.p95, f.failure_at, f.failure_status, f.failure_error, x.failed_deliveries
      from keys k
      left join recent r on r.destination_id = k.destination_id
      left join failure f on f.destination_id = k.destination_id
      left join failed x on x.destination_id = k.destination_id
  `);
  const health = new Map<string, DestinationHealth>();
  for (const row of result.rows) {
    const attempts = row.attempts ?? 0;
    health.set(row.destination_id, {
      success_rate_24h: attempts > 0 ? (row.succeeded ?? 0) / attempts : null,
      p95_latency_ms_24h: row.p95 === null ? null : Math.round(Number(row.p95)),
      last_failure: row.failure_at === null ? null : { at: new Date(row.failure_at).toISOString(), status_code: row.failure_status, error: row.failure_error },
      failed_deliveries: row.failed_deliveries ?? 0,
    });
  }
  return health;
}

/** `listDestinations` with each destination's `health` (see `destinationHealth`). */
export async function listDestinationsWithHealth(
  deps: Pick<DestinationServiceDeps, "db">,
  tenantId: string,
): Promise<(PublicDestination & { health: DestinationHealth })[]> {
  const [destinations, health] = await Promise.all([listDestinations(deps, tenantId), destinationHealth(deps.db, tenantId)]);
  return destinations.map((d) => ({ ...d, health: health.get(d.id) ?? EMPTY_DESTINATION_HEALTH }));
}

export async function getDestination(deps: Pick<DestinationServiceDeps, "db">, tenantId: string, id: string): Promise<PublicDestination> {
  return toPublicDestination(await findRow(deps.db, tenantId, id));
}

export interface UpdateDestinationInput {
  name?: string;
  url?: string;
  event_types?: EventType[];
  enabled?: boolean;
}

/**
 * Changes name, URL (checked again), subscriptions or enabled. Enabling clears the disabled reason
 * and the failure streak, so an auto-disabled destination gets a fresh start.
 */
export async function updateDestination(
  deps: DestinationServiceDeps,
  tenantId: string,
  id: string,
  input: UpdateDestinationInput,
): Promise<PublicDestination> {
  const url = input.url === undefined ? undefined : await checkedUrl(deps, input.url);
  return deps.db.transaction(async (tx) => {
    const current = await findRow(tx, tenantId, id, true);
    const changes: Partial<typeof automationDestinations.$inferInsert> = { updatedAt: new Date() };
    if (input.name !== undefined) changes.name = input.name;
    if (url !== undefined) changes.url = url;
    if (input.event_types !== undefined) changes.eventTypes = normaliseEventTypes(input.event_types);
    if (input.enabled === true && !current.enabled) {
      Object.assign(changes, { enabled: true, disabledReason: null, disabledAt: null, failingSince: null });
    } else if (input.enabled === false && current.enabled) {
      Object.assign(changes, { enabled: false, disabledReason: "manual", disabledAt: new Date() });
    }
    const [row] = await tx
      .update(automationDestinations)
      .set(changes)
      .where(and(eq(automationDestinations.tenantId, tenantId), eq(automationDestinations.id, id)))
      .returning();
    return toPublicDestination(row!);
  });
}

/** Deletes a destination (its deliveries and attempts go with it). */
export async function deleteDestination(deps: Pick<DestinationServiceDeps, "db">, tenantId: string, id: string): Promise<void> {
  const deleted = await deps.db
    .delete(automationDestinations)
    .where(and(eq(automationDestinations.tenantId, tenantId), eq(automationDestinations.id, id)))
    .returning({ id: automationDestinations.id });
  if (deleted.length === 0) throw new AppError("not_found", "destination not found");
}

/**
 * Replaces the secret. The old one keeps signing (and verifying callbacks) for
 * `rotationGraceSeconds`, so receivers can switch without dropping a delivery; the body signature
 * stays on it for that whole overlap unless `confirmNewSecret` is called. One previous secret at a
 * time: rotating again during an overlap keeps the secret the receiver is known to have, i.e. the
 * previous one unless the new one was confirmed, and retires the other at once.
 */
export async function rotateDestinationSecret(
  deps: DestinationServiceDeps,
  tenantId: string,
  id: string,
  input: { secret?: string } = {},
  now: Date = new Date(),
): Promise<PublicDestination & { secret: string }> {
  const secret = input.secret === undefined ? generateDestinationSecret() : validateUserSecret(input.secret);
  return deps.db.transaction(async (tx) => {
    const current = await findRow(tx, tenantId, id, true);
    const kept = rotationPending(current, now) ? current.previousSecretEncrypted! : current.secretEncrypted;
    const [row] = await tx
      .update(automationDestinations)
      .set({
        secretEncrypted: deps.keys.encrypt(secret),
        secretMasked: maskSecret(secret),
        // Re-encrypted with the current key: a rotation also moves the old secret off retired keys.
        previousSecretEncrypted: deps.keys.encrypt(deps.keys.decrypt(kept)),
        previousSecretExpiresAt: new Date(now.getTime() + deps.settings.rotationGraceSeconds * 1000),
        newSecretConfirmedAt: null,
        updatedAt: now,
      })
      .where(and(eq(automationDestinations.tenantId, tenantId), eq(automationDestinations.id, id)))
      .returning();
    return { ...toPublicDestination(row!, now), secret };
  });
}

/**
 * An admin says the receiver now checks the new secret: `X-Alfred-Body-Signature` switches to it at
 * once. The previous secret still signs `X-Alfred-Signature` / `webhook-signature` and verifies
 * callbacks until the overlap ends. 409 when no rotation is pending (none, expired, or confirmed).
 */
export async function confirmNewSecret(
  deps: Pick<DestinationServiceDeps, "db">,
  tenantId: string,
  id: string,
  now: Date = new Date(),
): Promise<PublicDestination> {
  return deps.db.transaction(async (tx) => {
    const current = await findRow(tx, tenantId, id, true);
    if (!rotationPending(current, now)) {
      throw new AppError(
        "conflict",
        current.newSecretConfirmedAt !== null && previousSecretLive(current, now)
          ? "the new secret was already confirmed; the body signature uses it"
          : "no rotation is pending: the body signature already uses the current secret",
      );
    }
    const [row] = await tx
      .update(automationDestinations)
      .set({ newSecretConfirmedAt: now, updatedAt: now })
      .where(and(eq(automationDestinations.tenantId, tenantId), eq(automationDestinations.id, id)))
      .returning();
    return toPublicDestination(row!, now);
  });
}

/**
 * Sets or replaces the static credential; without a password / value a random one is generated.
 * Setting it again is how it is rotated: the old value stops at once (a static credential has no
 * overlap: the receiver compares one value). The new value is returned this once.
 */
export async function setDestinationCredential(
  deps: DestinationServiceDeps,
  tenantId: string,
  id: string,
  input: CredentialInput,
): Promise<PublicDestination & { credential_secret: string }> {
  const credential = prepareCredential(input, "credential");
  const [row] = await deps.db
    .update(automationDestinations)
    .set({ ...credentialColumns(credential, deps.keys), updatedAt: new Date() })
    .where(and(eq(automationDestinations.tenantId, tenantId), eq(automationDestinations.id, id)))
    .returning();
  if (!row) throw new AppError("not_found", "destination not found");
  return { ...toPublicDestination(row), credential_secret: credential.secret };
}

/** Removes the static credential: deliveries carry the signatures only. Removing none is fine. */
export async function removeDestinationCredential(deps: DestinationServiceDeps, tenantId: string, id: string): Promise<PublicDestination> {
  const [row] = await deps.db
    .update(automationDestinations)
    .set({ ...credentialColumns(null, deps.keys), updatedAt: new Date() })
    .where(and(eq(automationDestinations.tenantId, tenantId), eq(automationDestinations.id, id)))
    .returning();
  if (!row) throw new AppError("not_found", "destination not found");
  return toPublicDestination(row);
}

export interface TestSend {
  delivery_id: string;
  event_id: string;
  status: "pending";
}

/**
 * Creates an `alfred.test` event and one delivery of it to this destination, enabled or not (the
 * point of a test is to check a destination before trusting it). The caller enqueues the job after
 * commit with trigger `test`; the result shows up on the delivery.
 */
export async function createTestDelivery(
  deps: Pick<DestinationServiceDeps, "db">,
  tenantId: string,
  destinationId: string,
  correlationId?: string,
): Promise<TestSend> {
  return deps.db.transaction(async (tx) => {
    await findRow(tx, tenantId, destinationId);
    const payload = EVENT_CATALOG[TEST_EVENT_TYPE].payload.parse(EVENT_CATALOG[TEST_EVENT_TYPE].sample);
    const [event] = await tx
      .insert(automationEvents)
      .values({ tenantId, type: TEST_EVENT_TYPE, sourceEventId: `test:${randomUUID()}`, payload, correlationId: correlationId ?? null })
      .returning({ id: automationEvents.id });
    const [delivery] = await tx
      .insert(automationDeliveries)
      .values({ tenantId, eventId: event!.id, destinationId, eventType: TEST_EVENT_TYPE, status: "pending", nextRetryAt: sql`now()` })
      .returning({ id: automationDeliveries.id });
    return { delivery_id: delivery!.id, event_id: event!.id, status: "pending" as const };
  });
}

/**
 * `pnpm automation:reencrypt`: rewrites every destination secret still encrypted with an older key
 * of the ring under the current key. Run it after putting a new key first in
 * AUTOMATION_ENCRYPTION_KEYS; once it reports 0, the old key can be removed.
 */
export async function reencryptDestinationSecrets(deps: Pick<DestinationServiceDeps, "db" | "keys">): Promise<{ reencrypted: number }> {
  let reencrypted = 0;
  await deps.db.transaction(async (tx) => {
    const rows = await tx
      .select({
        id: automationDestinations.id,
        secretEncrypted: automationDestinations.secretEncrypted,
        previousSecretEncrypted: automationDestinations.previousSecretEncrypted,
        credentialEncrypted: automationDestinations.credentialEncrypted,
      })
      .from(automationDestinations)
      .for("update");
    const current = deps.keys.currentKeyId;
    for (const row of rows) {
      const stale = (envelope: string | null) => envelope !== null && deps.keys.keyIdOf(envelope) !== current;
      if (!stale(row.secretEncrypted) && !stale(row.previousSecretEncrypted) && !stale(row.credentialEncrypted)) continue;
      const again = (envelope: string | null) => (envelope === null ? null : deps.keys.encrypt(deps.keys.decrypt(envelope)));
      await tx
        .update(automationDestinations)
        .set({
          secretEncrypted: deps.keys.encrypt(deps.keys.decrypt(row.secretEncrypted)),
          previousSecretEncrypted: again(row.previousSecretEncrypted),
          credentialEncrypted: again(row.credentialEncrypted),
        })
        .where(eq(automationDestinations.id, row.id));
      reencrypted += 1;
    }
  });
  return { reencrypted };
}
