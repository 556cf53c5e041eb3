import { foldText } from "../../safe-regex";

/**
 * A piece of an instruction kept twice, index for index: `folded` (lower case, no accents) is what
 * patterns match; `original` is what values (labels, reply texts, keywords) are taken from.
 */
export interface Piece {
  original: string;
  folded: string;
}

export function piece(text: string): Piece {
  const original = text.normalize("NFC").replace(/\s+/g, " ").trim();
  // Folding per character keeps both strings the same length, so an index in one is valid in the other.
  const folded = Array.from(original, (c) => {
    const f = foldText(c);
    return f.length === c.length ? f : c;
  }).join("");
  return { original, folded };
}

function slice(p: Piece, start: number, end = p.original.length): Piece {
  const original = p.original.slice(start, end);
  const lead = original.length - original.trimStart().length;
  const trail = original.length - original.trimEnd().length;
  return { original: original.slice(lead, original.length - trail), folded: p.folded.slice(start + lead, end - trail) };
}

const QUOTED = /"[^"]*"|“[^”]*”|«[^»]*»/g;

function quotedRanges(text: string): [number, number][] {
  return [...text.matchAll(QUOTED)].map((m) => [m.index, m.index + m[0].length]);
}

/** Splits where `separator` matches outside quotes: a quoted reply may contain commas. */
export function splitOutside(p: Piece, separator: RegExp): Piece[] {
  const quotes = quotedRanges(p.original);
  const parts: Piece[] = [];
  let start = 0;
  for (const match of p.folded.matchAll(new RegExp(separator.source, "g"))) {
    const at = match.index;
    if (quotes.some(([from, to]) => at >= from && at < to)) continue;
    parts.push(slice(p, start, at));
    start = at + match[0].length;
  }
  parts.push(slice(p, start));
  return parts.filter((part) => part.original !== "");
}

/** Matches `pattern` on the folded text; captured groups come back from the original text. */
export function matchPiece(p: Piece, pattern: RegExp): (string | undefined)[] | null {
  const match = new RegExp(pattern.source, "d").exec(p.folded);
  if (!match?.indices) return null;
  return match.indices.map((range) => (range ? p.original.slice(range[0], range[1]).trim() : undefined));
}

/** `"Obrigado!"` -> `Obrigado!`; unquoted text is returned as it is. */
export function unquote(text: string): string {
  const trimmed = text.trim();
  const pairs: [string, string][] = [['"', '"'], ["“", "”"], ["«", "»"]];
  for (const [open, close] of pairs) if (trimmed.length >= 2 && trimmed.startsWith(open) && trimmed.endsWith(close)) return trimmed.slice(1, -1).trim();
  return trimmed;
}
