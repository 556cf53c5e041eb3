import type { Role } from "@alfred/db/schema";

export type { Role };

const RANK: Record<Role, number> = { agent: 1, manager: 2, admin: 3 };

/** agent < manager < admin */
export const roleAtLeast = (role: Role, minimum: Role): boolean => RANK[role] >= RANK[minimum];
