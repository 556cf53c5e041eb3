import { z } from "zod";
import { compileFlow } from "../definition/flow";
import type { FlowDefinition } from "../definition/written";
import { chatJson, type ChatClientConfig, type JsonPoster } from "./chat-completions";
import { usersOutsideDirectory } from "./directory";
import { detectLanguage } from "./local/classify";
import { MAX_INSTRUCTION_LENGTH } from "./local/flow-from-text";
import { words } from "./local/text";
import { CLASSIFY_SYSTEM_PROMPT, flowSystemPrompt, MAX_CLASSIFY_INPUT } from "./prompts";
import { classificationSchema, type AiProvider, type FlowFromTextResult } from "./provider";

const understoodSchema = z.array(z.string().max(300)).max(20).optional();
const flowAnswerSchema = z.union([
  z.object({ flow: z.record(z.string(), z.unknown()), understood: understoodSchema }),
  z.object({ not_understood: z.string().min(1).max(2000), understood: understoodSchema }),
]);

/** A provider speaking OpenAI's chat-completions protocol (OpenAI, Azure OpenAI, Ollama, vLLM, LiteLLM...). */
export function createOpenAiCompatibleProvider(config: ChatClientConfig, poster: JsonPoster): AiProvider {
  return {
    name: "openai_compatible",
    label: config.model,
    model: config.model,

    async classify({ text }) {
      const messages = [
        { role: "system" as const, content: CLASSIFY_SYSTEM_PROMPT },
        { role: "user" as const, content: text.slice(0, MAX_CLASSIFY_INPUT) },
      ];
      return (await chatJson(config, poster, messages, classificationSchema)).value;
    },

    async flowFromText({ text, directory }): Promise<FlowFromTextResult> {
      const pt = detectLanguage(text, words(text)) === "pt";
      const refuse = (message: string, extra: Partial<Extract<FlowFromTextResult, { ok: false }>> = {}): FlowFromTextResult => ({ ok: false, understood: [], not_understood: [], message, errors: [], ...extra });
      if (!text.trim() || text.length > MAX_INSTRUCTION_LENGTH) return refuse(pt ? `Escreva uma instrução de 1 a ${MAX_INSTRUCTION_LENGTH} caracteres.` : `Write an instruction of 1 to ${MAX_INSTRUCTION_LENGTH} characters.`);
      const messages = [
        { role: "system" as const, content: flowSystemPrompt(directory) },
        { role: "user" as const, content: text },
      ];
      const answer = (await chatJson(config, poster, messages, flowAnswerSchema)).value;
      const understood = answer.understood ?? [];
      if ("not_understood" in answer) return refuse(answer.not_understood, { understood, not_understood: [answer.not_understood] });
      const result = compileFlow(answer.flow);
      if (!result.ok) return refuse(pt ? "O modelo respondeu com um fluxo inválido." : "The model answered with an invalid flow.", { understood, errors: result.errors });
      const strangers = usersOutsideDirectory(result.flow, directory);
      if (strangers.length) return refuse(pt ? "O fluxo do modelo cita usuários que não existem neste espaço." : "The model's flow names users who are not in this workspace.", { understood, errors: strangers });
      return { ok: true, definition: answer.flow as unknown as FlowDefinition, flow: result.flow, understood };
    },
  };
}
