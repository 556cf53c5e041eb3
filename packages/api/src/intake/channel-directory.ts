import { channelChangesChannel } from "@alfred/automation";
import type { ChannelType } from "@alfred/channels";
import type { Logger, SecretKeyProvider } from "@alfred/core";
import { decryptChannelSecrets, findChannelByAccount } from "@alfred/crm";
import { and, eq, type Database } from "@alfred/db";
import { channels } from "@alfred/db/schema";
import type { Redis } from "ioredis";

type ChannelRow = typeof channels.$inferSelect;

/** A channel as webhook intake needs it: the row and its decrypted secrets. */
export interface KnownChannel {
  row: ChannelRow;
  secrets: Record<string, string>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The channels webhooks arrive for, cached in memory with their decrypted secrets so that intake does
 * not read and decrypt the channel on every request. Entries live `ttlMs` (an unknown account
 * `missTtlMs`, so a flood of junk ids costs one query per id per few seconds, and a channel connected
 * a moment ago is found soon); any channel change empties the cache of every web process at once
 * (`forget` here, `channelChangesChannel` elsewhere). Bounded: the oldest entry goes first.
 */
export class ChannelDirectory {
  private readonly entries = new Map<string, { value: KnownChannel | null; expiresAt: number }>();
  private readonly inFlight = new Map<string, Promise<KnownChannel | null>>();
  private generation = 0;

  constructor(
    private readonly db: Database,
    private readonly keys: SecretKeyProvider,
    private readonly options: { ttlMs: number; missTtlMs: number; maxEntries: number } = { ttlMs: 60_000, missTtlMs: 5_000, maxEntries: 5_000 },
  ) {}

  async find(type: ChannelType, accountId: string): Promise<KnownChannel | null> {
    const key = `${type}\u0000${type === "email" ? accountId.toLowerCase() : accountId}`;
    const cached = this.entries.get(key);
    if (cached && cached.expiresAt > Date.now()) return cached.value;
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const generation = this.generation;
    const lookup = this.load(type, accountId)
      .then((value) => {
        // A change announced while this lookup ran may make its answer stale: do not keep it.
        if (generation === this.generation) this.remember(key, value);
        return value;
      })
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, lookup);
    return lookup;
  }

  /** Forgets everything (a channel was created, changed or deleted). */
  forget(): void {
    this.generation++;
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  /** Forgets on every change announced by any process (call once per web process). */
  async followChanges(subscriber: Redis, prefix: string, logger: Logger): Promise<void> {
    const name = channelChangesChannel(prefix);
    subscriber.on("message", (channel: string) => {
      if (channel === name) this.forget();
    });
    // After a reconnect some announcements may have been missed.
    subscriber.on("ready", () => this.forget());
    await subscriber.subscribe(name).catch((err: Error) => logger.warn({ err: err.message }, "could not follow channel changes; cached channels expire on their own"));
  }

  private remember(key: string, value: KnownChannel | null): void {
    if (this.entries.size >= this.options.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { value, expiresAt: Date.now() + (value ? this.options.ttlMs : this.options.missTtlMs) });
  }

  private async load(type: ChannelType, accountId: string): Promise<KnownChannel | null> {
    let row: ChannelRow | null;
    if (type === "api") {
      row = UUID.test(accountId) ? ((await this.db.select().from(channels).where(and(eq(channels.type, "api"), eq(channels.id, accountId))))[0] ?? null) : null;
    } else {
      row = await findChannelByAccount(this.db, type, accountId);
    }
    return row ? { row, secrets: decryptChannelSecrets(this.keys, row) } : null;
  }
}
