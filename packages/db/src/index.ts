export * from "./client";
export * from "./audit";
export * from "./keyset";
export * from "./params";
export * from "./unavailable";
export * as schema from "./schema";
export type { SQL } from "drizzle-orm";
export { and, arrayContains, asc, count, desc, eq, exists, gt, gte, ilike, inArray, isNotNull, isNull, lt, lte, ne, not, notExists, or, sql } from "drizzle-orm";
export * from "./migration-status";
