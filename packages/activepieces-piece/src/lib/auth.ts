import { PieceAuth, Property } from "@activepieces/pieces-framework";
import { AlfredApiError, alfredApi, type AlfredConnection } from "./common/alfred-client";

/** Why a connection cannot work, in words for the person saving it; null when it can. */
export async function connectionProblem(connection: AlfredConnection): Promise<string | null> {
  try {
    const { role } = await alfredApi(connection).me();
    if (role !== "admin") return `This API key acts as ${role}; the triggers and actions manage Alfred destinations, which needs an admin key (POST /api/v1/api-keys with "role": "admin").`;
    return null;
  } catch (err) {
    if (err instanceof AlfredApiError && err.status === 401) return "Alfred refused this API key (revoked, or not an alf_... key of this Alfred).";
    if (err instanceof AlfredApiError) return err.message;
    return `Could not reach Alfred at ${connection.base_url}: ${(err as Error).message}`;
  }
}

export const alfredAuth = PieceAuth.CustomAuth({
  displayName: "Alfred connection",
  description: "The address of your Alfred and an admin API key (create one in Alfred: POST /api/v1/api-keys, shown once).",
  required: true,
  props: {
    base_url: Property.ShortText({ displayName: "Alfred URL", description: "e.g. https://alfred.example.com", required: true }),
    api_key: PieceAuth.SecretText({ displayName: "API key", description: "alf_... with the admin role", required: true }),
  },
  validate: async ({ auth }) => {
    const problem = await connectionProblem(auth);
    return problem === null ? { valid: true } : { valid: false, error: problem };
  },
});
