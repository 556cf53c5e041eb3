import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** What bench/seed-inbox.ts leaves for bench/suites/inbox.ts: ids and search terms of the seeded inbox. */
export interface InboxTerms {
  database: string;
  tenantId: string;
  otherTenantId: string;
  agentIds: string[];
  channels: Record<string, string>;
  smallChannelId: string;
  threads: { longest: string; typical: string[] };
  search: Record<"name" | "phone" | "email" | "commonWord" | "rareWord" | "accented" | "unaccented" | "short", string[]>;
}

export const inboxTermsFile = (database: string) => path.join(path.dirname(fileURLToPath(import.meta.url)), `seed-inbox.${database}.json`);

export function readInboxTerms(database: string): InboxTerms {
  const file = inboxTermsFile(database);
  if (!existsSync(file)) throw new Error(`${path.basename(file)} not found: run \`pnpm bench:seed-inbox\` with the same BENCH_INBOX_DATABASE_URL first`);
  return JSON.parse(readFileSync(file, "utf8")) as InboxTerms;
}
