/** What is kept of a third party's answer where tenants read it (a message's error, an attempt). */
export const SNIPPET_MAX_CHARS = 300;

/**
 * A bounded, storable excerpt of text a third party chose: control characters (NUL included,
 * which Postgres text refuses) become spaces, runs of whitespace collapse, and anything past
 * `max` characters is cut with an ellipsis.
 */
export function boundedSnippet(text: string, max = SNIPPET_MAX_CHARS): string {
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]+/g, " ").replace(/\s+/g, " ").trim();
  if (clean.length <= max) return clean;
  // Never end on the first half of a surrogate pair (an emoji cut in two).
  const end = /[\ud800-\udbff]/.test(clean[max - 2] ?? "") ? max - 2 : max - 1;
  return `${clean.slice(0, end)}…`;
}
