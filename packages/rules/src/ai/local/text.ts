import { foldText } from "../../safe-regex";

/**
 * Text as the local heuristics read it: lower case, accents and punctuation gone, one space
 * between words ("Péssimo atendimento!!" -> ["pessimo", "atendimento"]). Apostrophes split words,
 * so "doesn't" is ["doesn", "t"] and lexicon entries are written that way.
 */
export function words(text: string): string[] {
  return foldText(text).split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

/** Where `phrase` (already in `words` form, space-separated) starts in `tokens`. */
export function findPhrase(tokens: readonly string[], phrase: string): number[] {
  const parts = phrase.split(" ");
  const found: number[] = [];
  for (let i = 0; i + parts.length <= tokens.length; i++) {
    if (parts.every((part, j) => tokens[i + j] === part)) found.push(i);
  }
  return found;
}
