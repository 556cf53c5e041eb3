/**
 * Small, dependency-free helpers for the e-mail fields Mailgun posts. Not a full RFC 5322 parser:
 * enough for `addr@host`, `Name <addr@host>`, `"Last, First" <addr@host>` and comma-separated lists.
 */

export interface ParsedAddress {
  /** Lowercased. */
  address: string;
  name?: string;
}

const ADDRESS = /^[^\s@<>",;]+@[^\s@<>",;]+$/;

function unquote(name: string): string {
  const t = name.trim();
  if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) return t.slice(1, -1).replace(/\\(.)/g, "$1").trim();
  return t;
}

/** Parses one mailbox; null when there is no valid address in it. */
export function parseAddress(value: string | null | undefined): ParsedAddress | null {
  if (!value) return null;
  const v = value.trim();
  const angle = /^(.*)<([^<>]*)>\s*$/s.exec(v);
  if (angle) {
    const address = (angle[2] ?? "").trim().toLowerCase();
    if (!ADDRESS.test(address)) return null;
    const name = unquote(angle[1] ?? "");
    return name ? { address, name } : { address };
  }
  const address = v.toLowerCase();
  return ADDRESS.test(address) ? { address } : null;
}

/** Splits an address list on commas outside quotes and angle brackets, keeping the valid mailboxes. */
export function parseAddressList(value: string | null | undefined): ParsedAddress[] {
  if (!value) return [];
  const parts: string[] = [];
  let current = "";
  let quoted = false;
  let angle = false;
  for (const ch of value) {
    if (ch === '"') quoted = !quoted;
    else if (ch === "<" && !quoted) angle = true;
    else if (ch === ">" && !quoted) angle = false;
    if (ch === "," && !quoted && !angle) {
      parts.push(current);
      current = "";
    } else current += ch;
  }
  parts.push(current);
  return parts.map(parseAddress).filter((a): a is ParsedAddress => a !== null);
}

/**
 * Message ids are stored WITHOUT the angle brackets: `<abc@host>` -> `abc@host` (trimmed, case kept,
 * since the local part is case-sensitive). The SMTP sender puts the brackets back.
 */
export function normalizeMessageId(value: string | null | undefined): string | null {
  if (!value) return null;
  const m = /<([^<>\s]+)>/.exec(value);
  const id = (m ? m[1] : value.trim()) ?? "";
  return id && !/[\s<>]/.test(id) ? id : null;
}

/** All message ids of a References / In-Reply-To header, normalised, in order, without duplicates. */
export function parseMessageIdList(value: string | null | undefined): string[] {
  if (!value) return [];
  const bracketed = [...value.matchAll(/<([^<>\s]+)>/g)].map((m) => m[1] ?? "");
  const ids = bracketed.length ? bracketed : value.split(/[\s,]+/);
  return [...new Set(ids.map((id) => normalizeMessageId(id)).filter((id): id is string => id !== null))];
}
