export * from "./client";
export * from "./audit";
export * as schema from "./schema";
export { and, asc, desc, eq, gt, gte, inArray, isNull, isNotNull, lt, lte, ne, or, sql, count } from "drizzle-orm";
