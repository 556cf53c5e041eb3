/**
 * Postgres refuses U+0000 in `text` and `jsonb`, and an unpaired UTF-16 surrogate in `jsonb` (a
 * `text` column silently turns it into U+FFFD on the way in). Two policies use these helpers:
 * API input is refused with a 422 naming the field (`findInputProblem`), provider payloads are
 * normalised and always stored (`normalizeText`, `normalizeJsonStrings`).
 */

/** A high surrogate not followed by a low one, or a low surrogate not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, "g");

export const isStorableText = (text: string): boolean => !text.includes("\u0000") && !LONE_SURROGATE.test(text);

/** Strips U+0000 and replaces each unpaired surrogate with U+FFFD; storable text comes back unchanged. */
export function normalizeText(text: string): string {
  if (isStorableText(text)) return text;
  // Surrogates first: stripping a NUL must not join two halves that were apart into a new character.
  return text.replace(LONE_SURROGATES, "\uFFFD").replaceAll("\u0000", "");
}

/** What JSON.parse makes (null-prototype objects included); a Date or a class instance is a leaf. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

/**
 * `normalizeText` applied to every string and object key of a JSON value, at any depth (iterative,
 * so a hostile nesting cannot overflow the stack). Keys that normalise to the same text: the later
 * one wins, as with duplicate keys in JSON.parse. Anything that is not an array or plain object is
 * copied as it is.
 */
export function normalizeJsonStrings(value: unknown): unknown {
  const convert = (v: unknown): unknown => (typeof v === "string" ? normalizeText(v) : Array.isArray(v) ? [] : isPlainObject(v) ? {} : v);
  const root = convert(value);
  const pending: { source: unknown; target: unknown }[] = [{ source: value, target: root }];
  while (pending.length) {
    const { source, target } = pending.pop()!;
    const entries: [string | number, unknown][] = Array.isArray(source) ? source.map((v, i) => [i, v]) : isPlainObject(source) ? Object.entries(source) : [];
    for (const [key, child] of entries) {
      const copy = convert(child);
      if (Array.isArray(target)) target.push(copy);
      // defineProperty: a "__proto__" key stays data, as JSON.parse made it, never a prototype.
      else Object.defineProperty(target, normalizeText(key as string), { value: copy, enumerable: true, writable: true, configurable: true });
      if (copy !== child) pending.push({ source: child, target: copy });
    }
  }
  return root;
}

export interface InputProblem {
  /** Dot path of the field, e.g. `attributes.profile.name` (`(root)` for the whole input). */
  path: string;
  message: string;
}

export const UNSTORABLE_TEXT_MESSAGE = "must not contain NUL (U+0000) characters or unpaired UTF-16 surrogates";

/**
 * The first string or key that Postgres cannot store, or the first value nested deeper than
 * `maxDepth`, in a JSON-like input (Dates and other objects are leaves). Breadth-first and
 * iterative: a 100,000-deep input is refused without recursion.
 */
export function findInputProblem(value: unknown, limits: { maxDepth: number }): InputProblem | null {
  const queue: { value: unknown; path: string[] }[] = [{ value, path: [] }];
  for (let i = 0; i < queue.length; i++) {
    const { value: current, path } = queue[i]!;
    const where = path.length ? path.join(".") : "(root)";
    if (typeof current === "string") {
      if (!isStorableText(current)) return { path: where, message: UNSTORABLE_TEXT_MESSAGE };
      continue;
    }
    const isArray = Array.isArray(current);
    if (!isArray && !isPlainObject(current)) continue;
    if (path.length >= limits.maxDepth) return { path: where, message: `is nested deeper than ${limits.maxDepth} levels` };
    const entries: [string, unknown][] = isArray ? current.map((v, index) => [String(index), v]) : Object.entries(current);
    for (const [key, child] of entries) {
      const childPath = [...path, isStorableText(key) ? key : normalizeText(key)];
      if (!isStorableText(key)) return { path: childPath.join("."), message: `key ${UNSTORABLE_TEXT_MESSAGE}` };
      queue.push({ value: child, path: childPath });
    }
  }
  return null;
}

/** Bytes of the value as JSON: the size bound of free-form JSON fields. */
export const jsonByteLength = (value: unknown): number => Buffer.byteLength(JSON.stringify(value) ?? "", "utf8");
