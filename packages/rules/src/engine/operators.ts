import type { CompiledTest, Scalar } from "../definition/conditions";
import { compileSafeRegex, foldText, type CompiledRegex } from "../safe-regex";

/**
 * One test against the value the facts hold. A missing value (absent or null) fails every test but
 * `is_set`; a value of another type than the field's fails too (`"5" gt 3` is false, not an error),
 * so a rule never throws on surprising data. `not_equals` is true only for a present, different value.
 */
export function applyTest(test: CompiledTest, actual: unknown): boolean {
  if (test.op === "is_set") return isSet(actual) !== (test.value === false);
  if (actual === undefined || actual === null) return false;
  const expected = test.value as Scalar;
  switch (test.op) {
    case "equals":
      return same(test, actual, expected);
    case "not_equals":
      return !same(test, actual, expected);
    case "in":
      return (test.value as Scalar[]).some((candidate) => same(test, actual, candidate));
    case "contains":
      return contains(test, actual, expected as string);
    case "gt":
    case "gte":
    case "lt":
    case "lte": {
      const difference = compare(test, actual, expected);
      if (difference === null) return false;
      return test.op === "gt" ? difference > 0 : test.op === "gte" ? difference >= 0 : test.op === "lt" ? difference < 0 : difference <= 0;
    }
    case "matches":
      return typeof actual === "string" && regexFor(expected as string, test.ignore_case_and_accents ?? false).test(actual);
  }
}

/** Null, absent, "" and [] are "not set". */
export function isSet(value: unknown): boolean {
  if (value === undefined || value === null || value === "") return false;
  return !(Array.isArray(value) && value.length === 0);
}

function same(test: CompiledTest, actual: unknown, expected: Scalar): boolean {
  if (test.field === "datetime") return typeof actual === "string" && Date.parse(actual) === Date.parse(expected as string);
  if (test.field === "id") return typeof actual === "string" && actual.toLowerCase() === expected;
  return actual === expected;
}

function compare(test: CompiledTest, actual: unknown, expected: Scalar): number | null {
  if (test.field === "datetime") {
    const at = typeof actual === "string" ? Date.parse(actual) : NaN;
    return Number.isNaN(at) ? null : at - Date.parse(expected as string);
  }
  return typeof actual === "number" && typeof expected === "number" ? actual - expected : null;
}

function contains(test: CompiledTest, actual: unknown, expected: string): boolean {
  const normal = (text: string) => (test.ignore_case_and_accents ? foldText(text) : text);
  if (typeof actual === "string") return normal(actual).includes(normal(expected));
  if (Array.isArray(actual)) return actual.some((item) => typeof item === "string" && normal(item) === normal(expected));
  return false;
}

/** Compiled patterns, shared across evaluations; bounded so tenants' patterns cannot grow it forever. */
const regexCache = new Map<string, CompiledRegex>();
const REGEX_CACHE_SIZE = 500;

function regexFor(pattern: string, fold: boolean): CompiledRegex {
  const key = `${fold ? "f" : "-"}${pattern}`;
  let regex = regexCache.get(key);
  if (!regex) {
    if (regexCache.size >= REGEX_CACHE_SIZE) regexCache.delete(regexCache.keys().next().value!);
    regex = compileSafeRegex(pattern, { fold });
    regexCache.set(key, regex);
  }
  return regex;
}
