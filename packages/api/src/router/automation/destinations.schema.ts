import { envelopeSchema, EVENT_TYPES, eventTypeSchema } from "@alfred/automation";
import { z } from "zod";
import { patchInput } from "../schemas";

export const destinationIdInput = z.object({ id: z.uuid() });

const name = z.string().trim().min(1).max(120);
/** The SSRF rules (scheme, credentials, addresses) are checked by the service with a clear reason. */
const url = z.string().trim().min(1).max(2048);
/**
 * Empty is allowed: a callback-only destination receives no events, its secret only signs callbacks
 * (the Activepieces piece's actions use one). The settings form still asks for at least one.
 */
const eventTypes = z.array(eventTypeSchema).max(EVENT_TYPES.length * 4);
/** Length and character rules are the service's (`validateUserSecret`), so REST and tRPC agree. */
const secret = z.string().max(4096);

/**
 * A static credential for receivers that compare a fixed value (Activepieces' Basic Auth / Header
 * Auth). Shapes only; the character rules are the service's (`prepareCredential`). Without a
 * password / value Alfred generates one.
 */
export const credentialInput = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("basic"), username: z.string().max(4096), password: z.string().max(4096).optional() }),
  z.object({ kind: z.literal("header"), header_name: z.string().max(4096), value: z.string().max(4096).optional() }),
]);

export const createDestinationInput = z.object({
  name,
  url,
  event_types: eventTypes,
  enabled: z.boolean().optional(),
  secret: secret.optional(),
  credential: credentialInput.optional(),
});

export const setCredentialInput = z.object({ id: z.uuid(), credential: credentialInput });

export const updateDestinationInput = patchInput({ name: name.optional(), url: url.optional(), event_types: eventTypes.optional(), enabled: z.boolean().optional() });

export const rotateSecretInput = z.object({ id: z.uuid(), secret: secret.optional() });

export const publicDestination = z.object({
  id: z.uuid(),
  name: z.string(),
  url: z.string(),
  event_types: z.array(z.string()),
  enabled: z.boolean(),
  disabled_reason: z.enum(["manual", "auto_failures", "gone"]).nullable(),
  disabled_at: z.string().nullable(),
  failing_since: z.string().nullable(),
  secret_masked: z.string(),
  previous_secret_expires_at: z.string().nullable(),
  body_signature_secret: z
    .enum(["current", "previous"])
    .describe("The secret X-Alfred-Body-Signature uses now: the previous one through a rotation's overlap, until it ends (previous_secret_expires_at) or confirm-new-secret"),
  new_secret_confirmed_at: z.string().nullable(),
  credential: z
    .discriminatedUnion("kind", [
      z.object({ kind: z.literal("basic"), username: z.string(), password_masked: z.string() }),
      z.object({ kind: z.literal("header"), header_name: z.string(), value_masked: z.string() }),
    ])
    .nullable()
    .describe("The static credential sent with every delivery (Authorization: Basic, or a named header), masked; null for none"),
  created_at: z.string(),
  updated_at: z.string(),
});

/** Health at a glance, computed per list call (see `destinationHealth` in @alfred/automation). */
export const destinationHealth = z.object({
  success_rate_24h: z.number().nullable(),
  p95_latency_ms_24h: z.number().int().nullable(),
  last_failure: z.object({ at: z.string(), status_code: z.number().int().nullable(), error: z.string().nullable() }).nullable(),
  failed_deliveries: z.number().int(),
});
export const destinationWithHealth = publicDestination.extend({ health: destinationHealth });
const credentialSecret = z.string().describe("The credential's password / header value: returned this once, never again");
export const destinationWithSecret = publicDestination.extend({ secret: z.string(), credential_secret: credentialSecret.optional() });
export const destinationWithCredentialSecret = publicDestination.extend({ credential_secret: credentialSecret });

export const testSendOutput = z.object({ delivery_id: z.uuid(), event_id: z.uuid(), status: z.literal("pending") });

export const eventTypesOutput = z.object({
  items: z.array(z.object({ type: z.string(), description: z.string(), subscribable: z.boolean(), sample: z.unknown() })),
});

/** Any text: an unknown type is a 404 naming where the catalog is, not a 422 listing the enum. */
export const eventTypeSampleInput = z.object({ type: z.string().min(1).max(64) });
export const eventTypeSampleOutput = envelopeSchema;
