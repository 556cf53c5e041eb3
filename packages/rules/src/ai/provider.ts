import { z } from "zod";
import type { FlowPlan } from "../definition/flow";
import type { FlowDefinition } from "../definition/written";
import type { Problem } from "../definition/problems";
import { INTENTS, LANGUAGES, SENTIMENTS, type Intent, type Language, type Sentiment } from "../vocabulary";

export interface Classification {
  intent: Intent;
  sentiment: Sentiment;
  language: Language;
  /** 0..1; below MIN_SCORING_CONFIDENCE the lead score is left alone. */
  confidence: number;
}

export const classificationSchema = z.strictObject({
  intent: z.enum(INTENTS),
  sentiment: z.enum(SENTIMENTS),
  language: z.enum(LANGUAGES),
  confidence: z.number().min(0).max(1),
});

/**
 * Who an instruction can name ("assign to sales", "atribuir ao Bruno"): a tenant's agents and
 * groups of them, loaded by the caller. Passing it in keeps flow-from-text pure, and a model can
 * only ever pick ids from this list.
 */
export interface AssigneeDirectory {
  entries: { name: string; aliases?: string[]; user_ids: string[] }[];
}

export interface FlowFromTextInput {
  text: string;
  directory: AssigneeDirectory;
}

export type FlowFromTextResult =
  | { ok: true; definition: FlowDefinition; flow: FlowPlan; understood: string[] }
  | {
      ok: false;
      /** What was understood, so the admin can see which part to rephrase. */
      understood: string[];
      not_understood: string[];
      message: string;
      /** Set when a model answered with a flow that does not compile. */
      errors: Problem[];
    };

export type AiProviderName = "local" | "openai_compatible";

export interface AiProvider {
  readonly name: AiProviderName;
  /** What the UI shows next to a classification: "local heuristic" or the model's name. */
  readonly label: string;
  readonly model: string | null;
  classify(input: { text: string }): Promise<Classification>;
  flowFromText(input: FlowFromTextInput): Promise<FlowFromTextResult>;
}
