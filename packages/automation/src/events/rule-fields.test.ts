import { payloadFields, RULE_EVENT_TYPES, type FieldType, type RuleEventType } from "@alfred/rules";
import { describe, expect, it } from "vitest";
import type { z } from "zod";
import { EVENT_CATALOG, EVENT_TYPES } from "./catalog";

/** The field type the rules engine should see for a catalog payload field. */
function fieldTypeOf(schema: z.ZodType): FieldType {
  const def = schema.def as { type: string; innerType?: z.ZodType; format?: string; entries?: Record<string, string> };
  if (def.type === "nullable" || def.type === "optional" || def.type === "default") return fieldTypeOf(def.innerType!);
  if (def.type === "union" || def.type === "object") return { kind: "any" };
  if (def.type === "string") return def.format === "guid" ? { kind: "id" } : def.format === "datetime" ? { kind: "datetime" } : { kind: "text" };
  if (def.type === "enum") return { kind: "enum", values: Object.values(def.entries!) };
  if (def.type === "array") return { kind: "list" };
  if (def.type === "number") return { kind: "number" };
  if (def.type === "boolean") return { kind: "boolean" };
  throw new Error(`no rules field type for zod type ${def.type}`);
}

function objectMembers(schema: z.ZodType): z.ZodObject[] {
  const def = schema.def as { type: string; innerType?: z.ZodType; options?: z.ZodType[] };
  if (def.type === "nullable" || def.type === "optional" || def.type === "default") return objectMembers(def.innerType!);
  if (def.type === "union") return def.options!.flatMap(objectMembers);
  if (def.type === "object") return [schema as z.ZodObject];
  return [];
}

/**
 * Rules check condition paths against their own copy of the payload shapes (@alfred/rules stays
 * free of this package). This keeps the copy honest: every catalog event a rule can react to has
 * exactly the fields, with the types, the rules engine believes it has.
 */
describe("the rules engine's view of the event catalog", () => {
  it("knows every subscribable event type", () => {
    for (const type of EVENT_TYPES) expect(RULE_EVENT_TYPES).toContain(type);
  });

  it.each(RULE_EVENT_TYPES.filter((type) => Object.hasOwn(EVENT_CATALOG, type)))("%s payload", (type) => {
    const shape = (EVENT_CATALOG[type as keyof typeof EVENT_CATALOG].payload as z.ZodObject).shape as Record<string, z.ZodType>;
    const catalog = Object.fromEntries(Object.entries(shape).map(([name, schema]) => [name, fieldTypeOf(schema)]));
    const fields = payloadFields(type as RuleEventType);
    expect(Object.fromEntries(Object.entries(fields).filter(([name]) => !name.includes(".")))).toEqual(catalog);
    // Paths into an object field (`content.title`) name a field of at least one of its shapes.
    for (const path of Object.keys(fields).filter((name) => name.includes("."))) {
      const [head, field] = path.split(".") as [string, string];
      const members = objectMembers(shape[head]!);
      expect(members.some((m) => Object.hasOwn(m.shape, field)), path).toBe(true);
    }
  });
});
