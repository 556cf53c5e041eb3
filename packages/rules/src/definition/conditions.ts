import { compileSafeRegex, MAX_PATTERN_LENGTH } from "../safe-regex";
import type { RuleEventType } from "../vocabulary";
import { lookupField, type FieldKind, type FieldType } from "./fields";
import { isPlainObject, type Problems, type PathSegment } from "./problems";

export const OPERATORS = ["equals", "not_equals", "contains", "in", "gt", "gte", "lt", "lte", "is_set", "matches"] as const;
export type Operator = (typeof OPERATORS)[number];

/** Groups nest at most this deep (`all` inside `any` inside `all`), and a rule has at most this many tests. */
export const MAX_GROUP_DEPTH = 3;
export const MAX_CONDITIONS = 50;
export const MAX_IN_VALUES = 100;
const MAX_TEXT_VALUE = 1000;

export type Scalar = string | number | boolean;

export interface CompiledTest {
  path: string;
  op: Operator;
  /** Absent only for `is_set` true; always normalised (datetimes as ISO UTC). */
  value?: Scalar | Scalar[];
  field: FieldKind;
  /** Set (true or false) on `contains` and `matches`, never elsewhere. */
  ignore_case_and_accents?: boolean;
}

export type CompiledCondition = { all: CompiledCondition[] } | { any: CompiledCondition[] } | CompiledTest;

const TEST_KEYS = new Set(["path", "op", "value", "ignore_case_and_accents"]);
const FOLDING_OPERATORS: readonly Operator[] = ["contains", "matches"];

export const ALWAYS: CompiledCondition = { all: [] };

/**
 * Checks a condition tree and returns its normalised form. `eventType` null means the trigger was
 * invalid: the structure is still checked, paths are not.
 */
export function compileConditions(input: unknown, eventType: RuleEventType | null, problems: Problems, path: readonly PathSegment[]): CompiledCondition {
  const counter = { tests: 0 };
  const compiled = compileNode(input, { eventType, problems, counter }, path, 1);
  if (counter.tests > MAX_CONDITIONS) problems.add(path, `at most ${MAX_CONDITIONS} conditions per rule (found ${counter.tests})`);
  return compiled;
}

interface Context {
  eventType: RuleEventType | null;
  problems: Problems;
  counter: { tests: number };
}

function compileNode(input: unknown, ctx: Context, path: readonly PathSegment[], depth: number): CompiledCondition {
  if (!isPlainObject(input)) {
    ctx.problems.add(path, 'expected a condition {"path", "op", "value"} or a group {"all": [...]} / {"any": [...]}');
    return ALWAYS;
  }
  const groupKind = Object.hasOwn(input, "all") ? "all" : Object.hasOwn(input, "any") ? "any" : null;
  if (!groupKind) return compileTest(input, ctx, path);
  if (Object.keys(input).length !== 1) {
    ctx.problems.add(path, `a group has exactly one key, "all" or "any"`);
    return ALWAYS;
  }
  if (depth > MAX_GROUP_DEPTH) {
    ctx.problems.add(path, `groups nest at most ${MAX_GROUP_DEPTH} deep`);
    return ALWAYS;
  }
  const members = input[groupKind];
  if (!Array.isArray(members)) {
    ctx.problems.add([...path, groupKind], "expected a list of conditions");
    return ALWAYS;
  }
  if (groupKind === "any" && members.length === 0) ctx.problems.add([...path, "any"], "an any group needs at least one condition");
  const compiled = members.map((member, i) => compileNode(member, ctx, [...path, groupKind, i], depth + 1));
  return groupKind === "all" ? { all: compiled } : { any: compiled };
}

function compileTest(input: Record<string, unknown>, ctx: Context, path: readonly PathSegment[]): CompiledCondition {
  ctx.counter.tests++;
  const { problems } = ctx;
  const before = problems.list.length;
  for (const key of Object.keys(input)) if (!TEST_KEYS.has(key)) problems.add([...path, key], `unknown key "${key}" in a condition`);
  const op = input.op;
  if (!(OPERATORS as readonly unknown[]).includes(op)) problems.add([...path, "op"], `op must be one of ${OPERATORS.join(", ")}`);
  let type: FieldType | null = null;
  if (typeof input.path !== "string" || input.path === "") problems.add([...path, "path"], "path must be a field such as message.body");
  else if (ctx.eventType) {
    const field = lookupField(ctx.eventType, input.path);
    if (field.ok) type = field.type;
    else problems.add([...path, "path"], field.message);
  }
  const fold = input.ignore_case_and_accents;
  if (fold !== undefined && (typeof fold !== "boolean" || !FOLDING_OPERATORS.includes(op as Operator))) {
    problems.add([...path, "ignore_case_and_accents"], "ignore_case_and_accents is true or false, on contains and matches only");
  }
  if (problems.list.length > before || !type) return ALWAYS;
  const test: CompiledTest = { path: input.path as string, op: op as Operator, field: type.kind };
  if (FOLDING_OPERATORS.includes(test.op)) test.ignore_case_and_accents = typeof fold === "boolean" ? fold : test.op === "contains";
  const value = compileValue(test, type, input.value, problems, [...path, "value"]);
  if (value !== undefined) test.value = value;
  return test;
}

function compileValue(test: CompiledTest, type: FieldType, value: unknown, problems: Problems, at: readonly PathSegment[]): Scalar | Scalar[] | undefined {
  const field = `${test.path} (${describeType(type)})`;
  switch (test.op) {
    case "is_set":
      if (value === undefined || value === true) return undefined;
      if (value === false) return false;
      problems.add(at, "is_set takes no value (is set) or false (is not set)");
      return undefined;
    case "equals":
    case "not_equals":
      if (type.kind === "list") problems.add(at, `${test.op} does not apply to ${field}: use contains`);
      else return scalarFor(type, value, problems, at);
      return undefined;
    case "in":
      if (type.kind === "list") problems.add(at, `in does not apply to ${field}: use contains`);
      else if (!Array.isArray(value) || value.length === 0 || value.length > MAX_IN_VALUES) problems.add(at, `in takes a list of 1 to ${MAX_IN_VALUES} values`);
      else return value.map((item, i) => scalarFor(type, item, problems, [...at, i])).filter((item) => item !== undefined);
      return undefined;
    case "contains":
      if (!["text", "list", "any"].includes(type.kind)) problems.add(at, `contains applies to text and lists, not ${field}`);
      else if (typeof value !== "string" || value.length === 0 || value.length > MAX_TEXT_VALUE) problems.add(at, `contains takes a text of 1 to ${MAX_TEXT_VALUE} characters`);
      else return value;
      return undefined;
    case "gt":
    case "gte":
    case "lt":
    case "lte":
      if (type.kind === "datetime") return scalarFor(type, value, problems, at);
      if (type.kind === "number" || type.kind === "any") return scalarFor({ kind: "number" }, value, problems, at);
      problems.add(at, `${test.op} compares numbers and dates, not ${field}`);
      return undefined;
    case "matches":
      return compilePattern(test, type, value, problems, at);
  }
}

function compilePattern(test: CompiledTest, type: FieldType, value: unknown, problems: Problems, at: readonly PathSegment[]): string | undefined {
  if (type.kind !== "text" && type.kind !== "any") {
    problems.add(at, `matches applies to text, not ${test.path} (${describeType(type)})`);
    return undefined;
  }
  if (typeof value !== "string" || value.length === 0 || value.length > MAX_PATTERN_LENGTH) {
    problems.add(at, `matches takes a pattern of 1 to ${MAX_PATTERN_LENGTH} characters`);
    return undefined;
  }
  try {
    compileSafeRegex(value, { fold: test.ignore_case_and_accents });
    return value;
  } catch (err) {
    problems.add(at, `invalid pattern: ${(err as Error).message}`);
    return undefined;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

function scalarFor(type: FieldType, value: unknown, problems: Problems, at: readonly PathSegment[]): Scalar | undefined {
  switch (type.kind) {
    case "text":
      if (typeof value === "string" && value.length <= MAX_TEXT_VALUE) return value;
      problems.add(at, `expected a text of at most ${MAX_TEXT_VALUE} characters`);
      return undefined;
    case "id":
      if (typeof value === "string" && UUID.test(value)) return value.toLowerCase();
      problems.add(at, "expected an id (UUID)");
      return undefined;
    case "number":
      if (typeof value === "number" && Number.isFinite(value)) return value;
      problems.add(at, "expected a number");
      return undefined;
    case "boolean":
      if (typeof value === "boolean") return value;
      problems.add(at, "expected true or false");
      return undefined;
    case "datetime":
      if (typeof value === "string" && ISO_DATETIME.test(value) && !Number.isNaN(Date.parse(value))) return new Date(value).toISOString();
      problems.add(at, "expected an ISO-8601 date and time with its offset, e.g. 2025-01-31T09:00:00Z");
      return undefined;
    case "enum":
      if (typeof value === "string" && type.values.includes(value)) return value;
      problems.add(at, `expected one of ${type.values.join(", ")}`);
      return undefined;
    case "any":
      if ((typeof value === "string" && value.length <= MAX_TEXT_VALUE) || typeof value === "boolean" || (typeof value === "number" && Number.isFinite(value))) return value;
      problems.add(at, "expected a text, a number or true/false");
      return undefined;
    case "list":
      problems.add(at, "lists are tested with contains");
      return undefined;
  }
}

export function describeType(type: FieldType): string {
  return type.kind === "enum" ? `one of ${type.values.join(", ")}` : type.kind === "any" ? "any value" : `a ${type.kind}`;
}
