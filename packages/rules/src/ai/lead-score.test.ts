import { describe, expect, it } from "vitest";
import type { Intent, Sentiment } from "../vocabulary";
import { applyLeadScoreChange, leadScoreFromClassification } from "./lead-score";

describe("lead score from a classified message", () => {
  it.each<[number, Intent, Sentiment, number, number, boolean]>([
    [40, "purchase_intent", "neutral", 0.9, 60, true],
    [40, "purchase_intent", "positive", 0.9, 65, true],
    [90, "purchase_intent", "positive", 0.9, 100, true],
    [100, "purchase_intent", "neutral", 0.9, 100, false],
    [40, "question", "neutral", 0.7, 45, true],
    [40, "complaint", "negative", 0.9, 25, true],
    [5, "complaint", "negative", 0.9, 0, true],
    [0, "complaint", "negative", 0.9, 0, false],
    [40, "spam", "neutral", 0.9, 20, true],
    [40, "greeting", "neutral", 0.9, 40, false],
    [40, "other", "positive", 0.6, 45, true],
    [40, "purchase_intent", "neutral", 0.4, 40, false],
    [140, "other", "neutral", 0.9, 100, false],
  ])("%i + %s/%s (confidence %d) -> %i, changed %s", (current, intent, sentiment, confidence, score, changed) => {
    const change = leadScoreFromClassification(current, { intent, sentiment, confidence });
    expect(change.score).toBe(score);
    expect(change.changed).toBe(changed);
  });

  it("says why", () => {
    expect(leadScoreFromClassification(40, { intent: "purchase_intent", sentiment: "positive", confidence: 0.9 }).reasons).toEqual(["purchase_intent +20", "positive sentiment +5"]);
    expect(leadScoreFromClassification(40, { intent: "spam", sentiment: "neutral", confidence: 0.3 }).reasons).toEqual(["confidence 0.3 is below 0.5"]);
  });
});

describe("lead score changed by a rule", () => {
  it.each<[number, { delta: number } | { set: number }, number, boolean]>([
    [40, { delta: 20 }, 60, true],
    [90, { delta: 20 }, 100, true],
    [10, { delta: -20 }, 0, true],
    [0, { delta: -5 }, 0, false],
    [40, { set: 80 }, 80, true],
    [80, { set: 80 }, 80, false],
  ])("%i with %j -> %i (changed %s)", (current, adjustment, score, changed) => {
    expect(applyLeadScoreChange(current, adjustment, "rule")).toEqual({ previous_score: current, score, changed, reasons: ["rule"] });
  });
});
