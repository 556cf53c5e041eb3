import type { Classification } from "../provider";
import {
  COMPLAINT_CUES,
  GREETING_CUES,
  LINK,
  NEGATIVE_CUES,
  NEGATORS,
  POSITIVE_CUES,
  PURCHASE_CUES,
  QUESTION_OPENERS,
  SHORTENED_LINK,
  SPAM_CUES,
  STOPWORDS,
  type Cues,
  type LexiconLanguage,
} from "./lexicon";
import { findPhrase, words } from "./text";

type Votes = Record<LexiconLanguage, number>;
const LANGUAGES: LexiconLanguage[] = ["pt", "en", "es"];

/**
 * The built-in classifier: keyword and pattern cues in Portuguese, English and Spanish, accent- and
 * case-insensitive. Deterministic and offline; the first matching intent in the order spam,
 * complaint, purchase_intent, question, greeting wins (a complaint that mentions a price is
 * still a complaint).
 */
export function classifyLocally(text: string): Classification {
  const tokens = words(text);
  if (tokens.length === 0) return { intent: "other", sentiment: "neutral", language: "unknown", confidence: 0.3 };
  const votes: Votes = { pt: 0, en: 0, es: 0 };
  const spam = countCues(tokens, SPAM_CUES, votes) + linkSignals(text);
  const complaint = countCues(tokens, COMPLAINT_CUES, votes);
  const purchase = countCues(tokens, PURCHASE_CUES, votes);
  const question = questionSignals(text);
  const greeting = countCues(tokens, GREETING_CUES, votes);
  // "Olá, tudo bem?" is a greeting, not a question: every word of it is a greeting.
  const onlyGreeting = greeting > 0 && coversEveryWord(tokens, GREETING_CUES);
  const mood = sentimentScore(tokens, votes);

  const [intent, strength] =
    spam > 0 ? (["spam", spam] as const)
    : complaint > 0 ? (["complaint", complaint] as const)
    : purchase > 0 ? (["purchase_intent", purchase] as const)
    : question > 0 && !onlyGreeting ? (["question", question] as const)
    : greeting > 0 ? (["greeting", greeting] as const)
    : (["other", 0] as const);
  const sentiment = intent === "complaint" ? "negative" : intent === "spam" ? "neutral" : mood > 0 ? "positive" : mood < 0 ? "negative" : "neutral";
  const confidence = intent === "other" ? 0.5 : Math.min(0.95, Math.round((0.6 + 0.1 * (strength - 1)) * 100) / 100);
  return { intent, sentiment, language: detectLanguage(text, tokens, votes), confidence };
}

function countCues(tokens: readonly string[], cues: Cues, votes: Votes): number {
  let count = 0;
  for (const language of LANGUAGES) {
    for (const cue of cues[language]) {
      const found = findPhrase(tokens, cue).length;
      if (found) votes[language] += 1;
      count += found;
    }
  }
  return count;
}

function coversEveryWord(tokens: readonly string[], cues: Cues): boolean {
  const covered = new Set<number>();
  for (const language of LANGUAGES) {
    for (const cue of cues[language]) {
      const length = cue.split(" ").length;
      for (const at of findPhrase(tokens, cue)) for (let i = at; i < at + length; i++) covered.add(i);
    }
  }
  return covered.size === tokens.length;
}

function linkSignals(text: string): number {
  const links = text.match(LINK)?.length ?? 0;
  return (SHORTENED_LINK.test(text) ? 1 : 0) + (links >= 2 ? 1 : 0);
}

/** A "?" anywhere, plus each sentence that opens like a question. */
function questionSignals(text: string): number {
  const openers = text.split(/[.!?\n]+/).filter((sentence) => {
    const tokens = words(sentence);
    return LANGUAGES.some((language) => QUESTION_OPENERS[language].some((opener) => findPhrase(tokens.slice(0, 3), opener).includes(0)));
  });
  return (text.includes("?") ? 1 : 0) + openers.length;
}

/** Positive minus negative cues; a negated positive ("não gostei", "not happy") counts as negative. */
function sentimentScore(tokens: readonly string[], votes: Votes): number {
  let score = 0;
  for (const language of LANGUAGES) {
    for (const cue of POSITIVE_CUES[language]) {
      for (const at of findPhrase(tokens, cue)) {
        votes[language] += 1;
        score += isNegated(tokens, at) ? -1 : 1;
      }
    }
    for (const cue of NEGATIVE_CUES[language]) {
      for (const at of findPhrase(tokens, cue)) {
        votes[language] += 1;
        if (!isNegated(tokens, at)) score -= 1;
      }
    }
  }
  return score;
}

const isNegated = (tokens: readonly string[], at: number) => NEGATORS.has(tokens[at - 1] ?? "") || NEGATORS.has(tokens[at - 2] ?? "");

/** Stopwords and cue words vote; ã/õ/ç and ñ/¿/¡ weigh double. A tie, or no evidence, is "unknown". */
export function detectLanguage(text: string, tokens: readonly string[], votes: Votes = { pt: 0, en: 0, es: 0 }): Classification["language"] {
  const tally = { ...votes };
  for (const token of tokens) for (const language of LANGUAGES) if (STOPWORDS[language].includes(token)) tally[language] += 1;
  if (/[ãõç]/i.test(text)) tally.pt += 2;
  if (/[ñ¿¡]/i.test(text)) tally.es += 2;
  const ranked = LANGUAGES.map((language) => [language, tally[language]] as const).sort((a, b) => b[1] - a[1]);
  const [first, second] = ranked;
  return first![1] === 0 || first![1] === second![1] ? "unknown" : first![0];
}
