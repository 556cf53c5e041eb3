import fc from "fast-check";

/**
 * Hostile input for property-based tests: the text and values an attacker (or a broken client)
 * sends. Shared by the core normalisation tests, the REST fuzz and the webhook fuzz.
 */

/** Code units that break storage, rendering or comparisons; lone surrogates on purpose. */
export const HOSTILE_CHARACTERS = [
  "\u0000", // NUL: Postgres text and jsonb refuse it
  "\uD800", // lone high surrogate
  "\uDFFF", // lone low surrogate
  "\u202E", // right-to-left override
  "\u200F", // right-to-left mark
  "\u200B", // zero-width space
  "\u200D", // zero-width joiner
  "\uFEFF", // byte order mark
  "\u0301", // combining acute accent
  "\uFFFF", // noncharacter
  "\u001B", // escape
  "\n",
  "%",
  "'",
  '"',
  "\\",
  "😀", // a valid surrogate pair
  "שלום",
  "a",
] as const;

/** Strings built from hostile characters and ordinary text, up to `maxLength` code units. */
export const hostileString = (maxLength = 40) =>
  fc.string({ unit: fc.oneof(fc.constantFrom(...HOSTILE_CHARACTERS), fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 1 })), maxLength });

/** A string that certainly contains something Postgres cannot store. */
export const unstorableString = () =>
  fc.tuple(hostileString(10), fc.constantFrom("\u0000", "\uD800", "\uDC00", "a\uDBFFb"), hostileString(10)).map(([a, bad, b]) => `${a}|${bad}|${b}`);

/** JSON-like values with hostile strings in values and keys. */
export const hostileJson = (maxDepth = 4) =>
  fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: "small", maxDepth },
      hostileString(),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie("value"), { maxLength: 4 }),
      fc.dictionary(hostileString(12), tie("value"), { maxKeys: 4 }),
    ),
  })).value;

/** `{"a":{"a":...}}` nested `depth` levels: built iteratively, serialised without recursion. */
export function deepJsonText(depth: number): string {
  return `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
}

/** Date-times Postgres or JS cannot hold, that do not exist, or that are not date-times at all. */
export const HOSTILE_INSTANTS = [
  "0000-01-01",
  "0000-01-01T00:00:00Z",
  "+275760-09-13T00:00:00Z",
  "-271821-04-20T00:00:00Z",
  "2024-02-31T00:00:00Z",
  "2023-02-29",
  "2024-13-01T00:00:00Z",
  "2024-01-01T24:00:00Z",
  "2024-01-01T00:00:60Z",
  "2024-01-01T00:00:00+25:00",
  "999999999999",
  "0",
  "-1",
  "yesterday",
  "1969-12-31T23:59:59Z",
  "10000-01-01T00:00:00Z",
  "2024-01-01T00:00:00\u0000Z",
] as const;

/**
 * fast-check parameters: a fixed seed under CI (a failure there replays exactly), a random one
 * elsewhere (printed by fast-check on failure); `FUZZ_RUNS` asks for more runs on demand.
 */
export function fuzzParameters(defaultRuns: number): fc.Parameters<unknown> {
  const runs = Number(process.env.FUZZ_RUNS) || defaultRuns;
  return process.env.CI ? { numRuns: runs, seed: 20_160_416 } : { numRuns: runs };
}
