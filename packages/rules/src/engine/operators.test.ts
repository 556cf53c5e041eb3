import { describe, expect, it } from "vitest";
import { OPERATORS, type CompiledTest } from "../definition/conditions";
import { applyTest } from "./operators";

const MISSING = undefined;
type Row = [name: string, test: Omit<CompiledTest, "path">, actual: unknown, expected: boolean];
const t = (op: CompiledTest["op"], field: CompiledTest["field"], value?: CompiledTest["value"], fold?: boolean): Omit<CompiledTest, "path"> => ({
  op,
  field,
  ...(value === undefined ? {} : { value }),
  ...(fold === undefined ? {} : { ignore_case_and_accents: fold }),
});

const TRUTH_TABLE: Row[] = [
  ["equals text, same", t("equals", "text", "sim"), "sim", true],
  ["equals text, other case", t("equals", "text", "sim"), "Sim", false],
  ["equals text, number given", t("equals", "text", "5"), 5, false],
  ["equals text, missing", t("equals", "text", "sim"), MISSING, false],
  ["equals text, null", t("equals", "text", "sim"), null, false],
  ["equals number", t("equals", "number", 5), 5, true],
  ["equals number, text given", t("equals", "number", 5), "5", false],
  ["equals boolean", t("equals", "boolean", true), true, true],
  ["equals boolean, other", t("equals", "boolean", true), false, false],
  ["equals enum", t("equals", "enum", "open"), "open", true],
  ["equals enum, other", t("equals", "enum", "open"), "pending", false],
  ["equals id, upper-case in the data", t("equals", "id", "8d7c6b5a-4e3f-4a2b-9c1d-0e9f8a7b6c5d"), "8D7C6B5A-4E3F-4A2B-9C1D-0E9F8A7B6C5D", true],
  ["equals datetime, same instant in another offset", t("equals", "datetime", "2025-01-15T10:30:00.000Z"), "2025-01-15T11:30:00+01:00", true],
  ["equals datetime, not a date", t("equals", "datetime", "2025-01-15T10:30:00.000Z"), "yesterday", false],
  ["equals any, same type", t("equals", "any", 3), 3, true],
  ["equals any, other type", t("equals", "any", 3), "3", false],

  ["not_equals, different", t("not_equals", "text", "a"), "b", true],
  ["not_equals, same", t("not_equals", "text", "a"), "a", false],
  ["not_equals, missing", t("not_equals", "text", "a"), MISSING, false],
  ["not_equals, null", t("not_equals", "enum", "open"), null, false],
  ["not_equals any, other type", t("not_equals", "any", 5), "5", true],

  ["contains folded, accents and case differ", t("contains", "text", "preco", true), "Qual o PREÇO?", true],
  ["contains folded, pattern accented", t("contains", "text", "Preço", true), "qual o preco", true],
  ["contains exact, accents differ", t("contains", "text", "preco", false), "Qual o preço?", false],
  ["contains exact, same", t("contains", "text", "preço", false), "Qual o preço?", true],
  ["contains, absent text", t("contains", "text", "preço", true), "Bom dia", false],
  ["contains, empty text", t("contains", "text", "a", true), "", false],
  ["contains list, member folded", t("contains", "list", "lead", true), ["vip", "LEAD"], true],
  ["contains list, member exact case", t("contains", "list", "lead", false), ["vip", "LEAD"], false],
  ["contains list, substring of a member is not membership", t("contains", "list", "vip", true), ["vipx"], false],
  ["contains list, non-text members", t("contains", "list", "1", true), [1, true], false],
  ["contains, number given", t("contains", "any", "5", true), 5, false],
  ["contains, missing", t("contains", "text", "a", true), MISSING, false],

  ["in, member", t("in", "enum", ["email", "whatsapp"]), "whatsapp", true],
  ["in, not a member", t("in", "enum", ["email", "whatsapp"]), "api", false],
  ["in, missing", t("in", "enum", ["email"]), MISSING, false],
  ["in any, other type", t("in", "any", ["3"]), 3, false],
  ["in ids, case-insensitive", t("in", "id", ["8d7c6b5a-4e3f-4a2b-9c1d-0e9f8a7b6c5d"]), "8D7C6B5A-4E3F-4A2B-9C1D-0E9F8A7B6C5D", true],

  ["gt, greater", t("gt", "number", 40), 50, true],
  ["gt, equal", t("gt", "number", 40), 40, false],
  ["gte, equal", t("gte", "number", 40), 40, true],
  ["gte, smaller", t("gte", "number", 40), 39, false],
  ["lt, smaller", t("lt", "number", 40), 39, true],
  ["lt, equal", t("lt", "number", 40), 40, false],
  ["lte, equal", t("lte", "number", 40), 40, true],
  ["lte, greater", t("lte", "number", 40), 41, false],
  ["gt, text given", t("gt", "number", 40), "50", false],
  ["lt, text given", t("lt", "number", 40), "5", false],
  ["gt, missing", t("gt", "number", 40), MISSING, false],
  ["lte, null", t("lte", "number", 40), null, false],
  ["gt datetime, later", t("gt", "datetime", "2025-01-15T00:00:00.000Z"), "2025-01-16T00:00:00Z", true],
  ["lt datetime, later", t("lt", "datetime", "2025-01-15T00:00:00.000Z"), "2025-01-16T00:00:00Z", false],
  ["gte datetime, same instant", t("gte", "datetime", "2025-01-15T00:00:00.000Z"), "2025-01-15T01:00:00+01:00", true],
  ["gt datetime, not a date", t("gt", "datetime", "2025-01-15T00:00:00.000Z"), "soon", false],
  ["gt datetime, a number given", t("gt", "datetime", "2025-01-15T00:00:00.000Z"), 1_800_000_000_000, false],
  ["gt any, number", t("gt", "any", 3), 5, true],
  ["gt any, text", t("gt", "any", 3), "5", false],

  ["is_set, text", t("is_set", "text"), "x", true],
  ["is_set, empty text", t("is_set", "text"), "", false],
  ["is_set, null", t("is_set", "text"), null, false],
  ["is_set, missing", t("is_set", "text"), MISSING, false],
  ["is_set, empty list", t("is_set", "list"), [], false],
  ["is_set, list", t("is_set", "list"), ["a"], true],
  ["is_set, zero", t("is_set", "number"), 0, true],
  ["is_set, false", t("is_set", "boolean"), false, true],
  ["is not set, missing", t("is_set", "text", false), MISSING, true],
  ["is not set, present", t("is_set", "text", false), "x", false],
  ["is not set, empty text", t("is_set", "text", false), "", true],

  ["matches, hit", t("matches", "text", "#\\d+", false), "order #123", true],
  ["matches, miss", t("matches", "text", "#\\d+", false), "order 123", false],
  ["matches, case differs", t("matches", "text", "^Pedido", false), "pedido 1", false],
  ["matches folded", t("matches", "text", "^pedido", true), "PÉDIDO 1", true],
  ["matches, number given", t("matches", "any", "\\d", false), 123, false],
  ["matches, missing", t("matches", "text", "a", false), MISSING, false],
];

describe("operator truth table", () => {
  it.each(TRUTH_TABLE)("%s", (_name, test, actual, expected) => {
    expect(applyTest({ path: "x", ...test }, actual)).toBe(expected);
  });

  it("covers every operator", () => {
    expect(new Set(TRUTH_TABLE.map(([, test]) => test.op))).toEqual(new Set(OPERATORS));
  });
});
