import { AppError, findInputProblem } from "@alfred/core";

/** No input of any procedure or callback is nested deeper than this; free-form JSON included. */
export const MAX_INPUT_DEPTH = 32;

/**
 * The API boundary for text: API input that Postgres cannot store (NUL, unpaired surrogates, in a
 * value or a key) or that nests past MAX_INPUT_DEPTH is a 422 naming the field. API clients are
 * told, never silently rewritten; provider webhooks are normalised instead (they must be stored).
 */
export function refuseUnstorableInput(input: unknown): void {
  const problem = findInputProblem(input, { maxDepth: MAX_INPUT_DEPTH });
  if (problem) throw new AppError("validation_error", `${problem.path}: ${problem.message}`, { path: problem.path });
}
