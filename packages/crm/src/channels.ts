import { createHash } from "node:crypto";
import { AppError, isUniqueViolation, maskSecret, type SecretKeyProvider } from "@alfred/core";
import { and, asc, eq, type DbOrTx } from "@alfred/db";
import { channels, type ChannelType } from "@alfred/db/schema";
import { MAX_URL_LENGTH, validateTenantUrl, type EgressPolicy, type TenantUrlKind } from "@alfred/egress";
import { z } from "zod";

/** Shape only: what a URL may reach is the egress guard's to say (see `checkChannelUrls`). */
const url = z.string().min(1).max(MAX_URL_LENGTH);
const secret = z.string().min(1).max(4096);

/**
 * What each channel type is configured with. `secrets` are encrypted at rest and only ever shown
 * masked; `config` is plain settings. The `accountField` is the payload identifier webhooks use to
 * find the channel (globally unique per type). `urls` are the settings (config or secret) the worker
 * connects to: the tenant chooses them, so the egress guard checks them when saved and again when
 * sending. `api_base_url` exists so tests and staging can point at a fake Graph API; it is guarded
 * like everything else (a fake on loopback must be on EGRESS_ALLOWLIST).
 */
export const CHANNEL_DEFINITIONS = {
  whatsapp: {
    accountField: "phone_number_id",
    secrets: ["access_token", "app_secret", "verify_token"],
    config: z.object({ phone_number_id: z.string().min(1).max(64), api_base_url: url.optional() }),
    urls: { api_base_url: "http" },
  },
  messenger: {
    accountField: "page_id",
    secrets: ["page_access_token", "app_secret", "verify_token"],
    config: z.object({ page_id: z.string().min(1).max(64), api_base_url: url.optional() }),
    urls: { api_base_url: "http" },
  },
  instagram: {
    accountField: "instagram_account_id",
    secrets: ["access_token", "app_secret", "verify_token"],
    config: z.object({ instagram_account_id: z.string().min(1).max(64), api_base_url: url.optional() }),
    urls: { api_base_url: "http" },
  },
  email: {
    accountField: "inbound_address",
    secrets: ["signing_key", "smtp_url"],
    config: z.object({ inbound_address: z.email().max(254), from_address: z.email().max(254).optional() }),
    urls: { smtp_url: "smtp" },
  },
  api: {
    accountField: null,
    secrets: ["secret"],
    config: z.object({ send_url: url.optional() }),
    urls: { send_url: "http" },
  },
} as const satisfies Record<ChannelType, { accountField: string | null; secrets: readonly string[]; config: z.ZodObject; urls: Record<string, TenantUrlKind> }>;

/** Secrets that must be present when a channel is created (smtp_url is optional: receive-only e-mail). */
const REQUIRED_SECRETS: Record<ChannelType, readonly string[]> = {
  whatsapp: ["access_token", "app_secret", "verify_token"],
  messenger: ["page_access_token", "app_secret", "verify_token"],
  instagram: ["access_token", "app_secret", "verify_token"],
  email: ["signing_key"],
  api: ["secret"],
};

export const sha256Hex = (value: string | Buffer) => createHash("sha256").update(value).digest("hex");

export interface ChannelView {
  id: string;
  type: ChannelType;
  name: string;
  enabled: boolean;
  account_id: string | null;
  config: Record<string, unknown>;
  secrets_masked: Record<string, string>;
  created_at: string;
  updated_at: string;
}

type ChannelRow = typeof channels.$inferSelect;

export function toChannelView(row: ChannelRow): ChannelView {
  return {
    id: row.id,
    type: row.type,
    name: row.name,
    enabled: row.enabled,
    account_id: row.externalId,
    config: row.config,
    secrets_masked: row.secretsMasked,
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

function validateSettings(type: ChannelType, settings: Record<string, unknown>, required: boolean) {
  const definition = CHANNEL_DEFINITIONS[type];
  const secretNames = definition.secrets as readonly string[];
  const configInput = Object.fromEntries(Object.entries(settings).filter(([k]) => !secretNames.includes(k)));
  const parsedConfig = (required ? definition.config : definition.config.partial()).safeParse(configInput);
  if (!parsedConfig.success) {
    const issue = parsedConfig.error.issues[0]!;
    throw new AppError("validation_error", `config.${issue.path.join(".")}: ${issue.message}`, { path: `config.${issue.path.join(".")}` });
  }
  const unknown = Object.keys(configInput).filter((k) => !(k in definition.config.shape));
  if (unknown.length) throw new AppError("validation_error", `config.${unknown[0]} is not a setting of ${type} channels`, { path: `config.${unknown[0]}` });
  const secrets: Record<string, string> = {};
  for (const name of secretNames) {
    const value = settings[name];
    if (value === undefined) continue;
    const parsed = secret.safeParse(value);
    if (!parsed.success) throw new AppError("validation_error", `config.${name} must be a non-empty string`, { path: `config.${name}` });
    secrets[name] = parsed.data;
  }
  if (required) {
    const missing = REQUIRED_SECRETS[type].find((name) => !secrets[name]);
    if (missing) throw new AppError("validation_error", `config.${missing} is required for ${type} channels`, { path: `config.${missing}` });
  }
  return { config: parsedConfig.data as Record<string, unknown>, secrets };
}

/**
 * The egress guard's save-time check of every URL setting being saved: a 422 whose path names the
 * field (`config.api_base_url`) and whose message gives the reason, exactly as for destinations.
 */
async function checkChannelUrls(type: ChannelType, settings: Record<string, unknown>, egress: EgressPolicy): Promise<void> {
  for (const [name, kind] of Object.entries(CHANNEL_DEFINITIONS[type].urls as Record<string, TenantUrlKind>)) {
    const value = settings[name];
    if (typeof value === "string") await validateTenantUrl(value, { kind, path: `config.${name}`, label: `config.${name}` }, egress);
  }
}

function accountIdOf(type: ChannelType, config: Record<string, unknown>): string | null {
  const field = CHANNEL_DEFINITIONS[type].accountField;
  if (!field) return null;
  const value = String(config[field]);
  return type === "email" ? value.toLowerCase() : value;
}

/**
 * Webhooks find their channel by this id across tenants, so it is unique in all of Alfred and a
 * taken one must be refused. The answer is the same whichever workspace holds it (this one's own
 * admins see their channels in the list): it never says whose it is.
 */
function duplicateAccount(err: unknown, type: ChannelType): never {
  if (isUniqueViolation(err, "channels_type_external_id_key")) {
    const field = CHANNEL_DEFINITIONS[type].accountField;
    throw new AppError("conflict", `this ${field} is already connected to Alfred; a ${type} account can be connected to one workspace only`, { path: `config.${field}` });
  }
  throw err;
}

export async function createChannel(
  tx: DbOrTx,
  keys: SecretKeyProvider,
  egress: EgressPolicy,
  tenantId: string,
  input: { type: ChannelType; name: string; enabled?: boolean; config: Record<string, unknown> },
): Promise<ChannelView> {
  const { config, secrets } = validateSettings(input.type, input.config, true);
  await checkChannelUrls(input.type, { ...config, ...secrets }, egress);
  try {
    const [row] = await tx
      .insert(channels)
      .values({
        tenantId,
        type: input.type,
        name: input.name,
        enabled: input.enabled ?? true,
        externalId: accountIdOf(input.type, config),
        verifyTokenHash: secrets.verify_token ? sha256Hex(secrets.verify_token) : null,
        config,
        secretsEncrypted: keys.encrypt(JSON.stringify(secrets)),
        secretsMasked: Object.fromEntries(Object.entries(secrets).map(([k, v]) => [k, maskSecret(v)])),
      })
      .returning();
    return toChannelView(row!);
  } catch (err) {
    duplicateAccount(err, input.type);
  }
}

export async function getChannelRow(tx: DbOrTx, tenantId: string, id: string): Promise<ChannelRow> {
  const [row] = await tx.select().from(channels).where(and(eq(channels.tenantId, tenantId), eq(channels.id, id)));
  if (!row) throw new AppError("not_found", "channel not found");
  return row;
}

export async function listChannels(tx: DbOrTx, tenantId: string): Promise<ChannelView[]> {
  const rows = await tx.select().from(channels).where(eq(channels.tenantId, tenantId)).orderBy(asc(channels.createdAt), asc(channels.id));
  return rows.map(toChannelView);
}

export async function updateChannel(
  tx: DbOrTx,
  keys: SecretKeyProvider,
  egress: EgressPolicy,
  tenantId: string,
  id: string,
  input: { name?: string; enabled?: boolean; config?: Record<string, unknown> },
): Promise<ChannelView> {
  const row = await getChannelRow(tx, tenantId, id);
  const patch: Partial<typeof channels.$inferInsert> = {};
  if (input.name !== undefined) patch.name = input.name;
  if (input.enabled !== undefined) patch.enabled = input.enabled;
  if (input.config) {
    const { config, secrets } = validateSettings(row.type, input.config, false);
    await checkChannelUrls(row.type, { ...config, ...secrets }, egress);
    const mergedConfig = { ...row.config, ...config };
    // The merged settings must still be complete: the account id is derived from them.
    const complete = CHANNEL_DEFINITIONS[row.type].config.safeParse(mergedConfig);
    if (!complete.success) {
      const issue = complete.error.issues[0]!;
      throw new AppError("validation_error", `config.${issue.path.join(".")}: ${issue.message}`, { path: `config.${issue.path.join(".")}` });
    }
    patch.config = mergedConfig;
    patch.externalId = accountIdOf(row.type, mergedConfig);
    if (Object.keys(secrets).length) {
      const merged = { ...decryptChannelSecrets(keys, row), ...secrets };
      patch.secretsEncrypted = keys.encrypt(JSON.stringify(merged));
      patch.secretsMasked = Object.fromEntries(Object.entries(merged).map(([k, v]) => [k, maskSecret(v)]));
      if (secrets.verify_token) patch.verifyTokenHash = sha256Hex(secrets.verify_token);
    }
  }
  try {
    const [updated] = await tx.update(channels).set(patch).where(and(eq(channels.tenantId, tenantId), eq(channels.id, id))).returning();
    return toChannelView(updated!);
  } catch (err) {
    duplicateAccount(err, row.type);
  }
}

/** Deletes the channel with its conversations and messages (the UI asks for confirmation). */
export async function deleteChannel(tx: DbOrTx, tenantId: string, id: string): Promise<void> {
  const deleted = await tx.delete(channels).where(and(eq(channels.tenantId, tenantId), eq(channels.id, id))).returning({ id: channels.id });
  if (deleted.length === 0) throw new AppError("not_found", "channel not found");
}

export function decryptChannelSecrets(keys: SecretKeyProvider, row: Pick<ChannelRow, "secretsEncrypted">): Record<string, string> {
  return row.secretsEncrypted ? (JSON.parse(keys.decrypt(row.secretsEncrypted)) as Record<string, string>) : {};
}

/**
 * Finds the channel a provider webhook is for, from the payload's own account id. Webhooks are not
 * signed in as anyone: this lookup is deliberately across tenants, and the signature check that
 * follows (with this channel's secret) is what authenticates the request.
 */
export async function findChannelByAccount(tx: DbOrTx, type: ChannelType, accountId: string): Promise<ChannelRow | null> {
  const [row] = await tx
    .select()
    .from(channels)
    .where(and(eq(channels.type, type), eq(channels.externalId, type === "email" ? accountId.toLowerCase() : accountId)));
  return row ?? null;
}

/** Meta's GET handshake: is there a channel of this type with this verify token? */
export async function hasChannelWithVerifyToken(tx: DbOrTx, type: ChannelType, verifyToken: string): Promise<boolean> {
  const [row] = await tx
    .select({ id: channels.id })
    .from(channels)
    .where(and(eq(channels.type, type), eq(channels.verifyTokenHash, sha256Hex(verifyToken))))
    .limit(1);
  return Boolean(row);
}
