import type { Intent, Sentiment } from "../vocabulary";

export const MIN_LEAD_SCORE = 0;
export const MAX_LEAD_SCORE = 100;
/** Below this the classification is a guess and leaves the score alone. */
export const MIN_SCORING_CONFIDENCE = 0.5;

/** Points a classified inbound message adds to its contact's lead score (README, "Lead score"). */
export const INTENT_POINTS: Record<Intent, number> = {
  purchase_intent: 20,
  question: 5,
  greeting: 0,
  other: 0,
  complaint: -10,
  spam: -20,
};
export const SENTIMENT_POINTS: Record<Sentiment, number> = { positive: 5, neutral: 0, negative: -5 };

export interface LeadScoreChange {
  previous_score: number;
  score: number;
  /** `lead.score_changed` is emitted only when this is true. */
  changed: boolean;
  reasons: string[];
}

export type ScoreAdjustment = { delta: number } | { set: number };

export function clampLeadScore(score: number): number {
  return Math.min(MAX_LEAD_SCORE, Math.max(MIN_LEAD_SCORE, Math.round(score)));
}

/** A rule's `change_lead_score`, or any other explicit adjustment, clamped to 0..100. */
export function applyLeadScoreChange(current: number, adjustment: ScoreAdjustment, reason: string): LeadScoreChange {
  const previous = clampLeadScore(current);
  const score = clampLeadScore("set" in adjustment ? adjustment.set : previous + adjustment.delta);
  return { previous_score: previous, score, changed: score !== previous, reasons: [reason] };
}

/** The score after one inbound message's classification. */
export function leadScoreFromClassification(current: number, classification: { intent: Intent; sentiment: Sentiment; confidence: number }): LeadScoreChange {
  const previous = clampLeadScore(current);
  if (classification.confidence < MIN_SCORING_CONFIDENCE) {
    return { previous_score: previous, score: previous, changed: false, reasons: [`confidence ${classification.confidence} is below ${MIN_SCORING_CONFIDENCE}`] };
  }
  const intentPoints = INTENT_POINTS[classification.intent];
  const sentimentPoints = SENTIMENT_POINTS[classification.sentiment];
  const reasons = [
    ...(intentPoints ? [`${classification.intent} ${signed(intentPoints)}`] : []),
    ...(sentimentPoints ? [`${classification.sentiment} sentiment ${signed(sentimentPoints)}`] : []),
  ];
  const score = clampLeadScore(previous + intentPoints + sentimentPoints);
  return { previous_score: previous, score, changed: score !== previous, reasons };
}

const signed = (n: number) => (n > 0 ? `+${n}` : String(n));
