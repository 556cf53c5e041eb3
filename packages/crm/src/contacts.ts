import { randomUUID } from "node:crypto";
import { recordEvent } from "@alfred/automation";
import { AppError } from "@alfred/core";
import { and, cursorTimestamp, type DbOrTx, decodeCursor, DEFAULT_PAGE_SIZE, encodeCursor, eq, type SQL, sql } from "@alfred/db";
import { contactSettings, contacts } from "@alfred/db/schema";
import type { Scope } from "./scope";

export interface ContactView {
  id: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  attributes: Record<string, unknown>;
  lead_score: number;
  settings: { automated_messages_opt_out: boolean; preferred_language: string | null };
  created_at: string;
  updated_at: string;
}

type ContactRow = typeof contacts.$inferSelect;
type SettingsRow = typeof contactSettings.$inferSelect;

function toView(row: ContactRow, settings?: SettingsRow | null): ContactView {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    phone: row.phone,
    attributes: row.attributes,
    lead_score: row.leadScore,
    settings: { automated_messages_opt_out: settings?.automatedMessagesOptOut ?? false, preferred_language: settings?.preferredLanguage ?? null },
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

export async function getContact(db: DbOrTx, tenantId: string, id: string): Promise<ContactView> {
  const [row] = await db
    .select({ contact: contacts, settings: contactSettings })
    .from(contacts)
    .leftJoin(contactSettings, and(eq(contactSettings.contactId, contacts.id), eq(contactSettings.tenantId, tenantId)))
    .where(and(eq(contacts.tenantId, tenantId), eq(contacts.id, id)));
  if (!row) throw new AppError("not_found", "contact not found");
  return toView(row.contact, row.settings);
}

/** Newest first, keyset-paginated; `q` matches name, e-mail or phone (trigram index). */
export async function listContacts(db: DbOrTx, tenantId: string, options: { q?: string; cursor?: string; limit?: number }) {
  const limit = options.limit ?? DEFAULT_PAGE_SIZE;
  const cursor = decodeCursor(options.cursor);
  const where: SQL[] = [eq(contacts.tenantId, tenantId)];
  if (options.q?.trim()) {
    const pattern = `%${options.q.trim().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push(sql`(coalesce(${contacts.name}, '') || ' ' || coalesce(${contacts.email}, '') || ' ' || coalesce(${contacts.phone}, '')) ilike ${pattern}`);
  }
  if (cursor) where.push(sql`(${contacts.createdAt}, ${contacts.id}) < (${cursor.at}::timestamptz, ${cursor.id}::uuid)`);
  const rows = await db
    .select({ contact: contacts, cursorAt: cursorTimestamp(contacts.createdAt) })
    .from(contacts)
    .where(and(...where))
    .orderBy(sql`${contacts.createdAt} desc, ${contacts.id} desc`)
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { items: page.map((r) => toView(r.contact)), next_cursor: rows.length > limit && last ? encodeCursor(last.cursorAt, last.contact.id) : null };
}

export interface ContactUpdate {
  name?: string | null;
  email?: string | null;
  phone?: string | null;
  /** Merged into the existing attributes; a null value removes that key. */
  attributes?: Record<string, unknown>;
  leadScore?: number;
  settings?: { automatedMessagesOptOut?: boolean; preferredLanguage?: string | null };
}

/** Edits a contact; records `contact.updated`, and `lead.score_changed` when the score moves. */
export async function updateContact(tx: DbOrTx, scope: Scope, id: string, update: ContactUpdate): Promise<ContactView> {
  const [current] = await tx.select().from(contacts).where(and(eq(contacts.tenantId, scope.tenantId), eq(contacts.id, id))).for("update");
  if (!current) throw new AppError("not_found", "contact not found");

  const patch: Partial<typeof contacts.$inferInsert> = {};
  const changes: string[] = [];
  for (const field of ["name", "email", "phone"] as const) {
    if (update[field] !== undefined && update[field] !== current[field]) {
      patch[field] = update[field];
      changes.push(field);
    }
  }
  if (update.attributes) {
    const merged: Record<string, unknown> = { ...current.attributes };
    for (const [key, value] of Object.entries(update.attributes)) {
      if (value === null) delete merged[key];
      else merged[key] = value;
    }
    if (JSON.stringify(merged) !== JSON.stringify(current.attributes)) {
      patch.attributes = merged;
      changes.push("attributes");
    }
  }
  const scoreChanged = update.leadScore !== undefined && update.leadScore !== current.leadScore;
  if (scoreChanged) {
    patch.leadScore = update.leadScore;
    changes.push("lead_score");
  }

  let updated = current;
  if (changes.length) {
    [updated] = (await tx.update(contacts).set(patch).where(eq(contacts.id, id)).returning()) as [ContactRow];
    // Each edit is its own fact: a timestamp (milliseconds) would make two quick edits one event.
    const stamp = randomUUID();
    await recordEvent(
      tx,
      {
        tenantId: scope.tenantId,
        type: "contact.updated",
        sourceEventId: `contact.updated:${id}:${stamp}`,
        correlationId: scope.correlationId, origin: scope.origin,
        payload: { contact_id: id, changes, name: updated.name, email: updated.email, phone: updated.phone },
      },
      scope.effects,
    );
    if (scoreChanged) {
      await recordEvent(
        tx,
        {
          tenantId: scope.tenantId,
          type: "lead.score_changed",
          sourceEventId: `lead.score_changed:${id}:${stamp}`,
          correlationId: scope.correlationId, origin: scope.origin,
          payload: { contact_id: id, previous_score: current.leadScore, score: updated.leadScore },
        },
        scope.effects,
      );
    }
  }
  if (update.settings) {
    await tx
      .insert(contactSettings)
      .values({ tenantId: scope.tenantId, contactId: id, automatedMessagesOptOut: update.settings.automatedMessagesOptOut ?? false, preferredLanguage: update.settings.preferredLanguage ?? null })
      .onConflictDoUpdate({
        target: [contactSettings.tenantId, contactSettings.contactId],
        set: {
          ...(update.settings.automatedMessagesOptOut !== undefined ? { automatedMessagesOptOut: update.settings.automatedMessagesOptOut } : {}),
          ...(update.settings.preferredLanguage !== undefined ? { preferredLanguage: update.settings.preferredLanguage } : {}),
          updatedAt: new Date(),
        },
      });
  }
  if (changes.length || update.settings) scope.effects.live.push({ tenantId: scope.tenantId, kind: "contact.changed", data: { contact_id: id } });
  return getContact(tx, scope.tenantId, id);
}
