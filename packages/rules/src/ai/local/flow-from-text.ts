import { compileFlow } from "../../definition/flow";
import type { FlowDefinition, FlowStepInput } from "../../definition/written";
import type { FlowFromTextInput, FlowFromTextResult } from "../provider";
import { detectLanguage } from "./classify";
import { isActionClause, parseClause, type Clause } from "./flow-actions";
import { parseTrigger, type Lang, type ParsedTrigger } from "./flow-trigger";
import { piece, splitOutside, type Piece } from "./sentences";
import { words } from "./text";

export const MAX_INSTRUCTION_LENGTH = 1000;

const CLAUSE_SEPARATOR = /\s*(?:[,;:]|\.(?=\s|$)|\s(?:and then|then|e depois|depois|e entao|entao)(?=\s))\s*/;
const CONJUNCTION = /\s+(?:and|e)\s+/;
const PT_START = /^(?:quando|sempre que|toda vez que|cada vez que|se)\b/;
const EN_START = /^(?:when|whenever|if|every time|each time)\b/;
const VERB = /\s(?=(?:assign|atribu|create|criar|crie|reply|respond|responder|notify|notificar|avisar|add|adicionar|set|mark|marcar|wait|esperar|aguardar|send|enviar|mandar|tag|etiquetar|label|increase|aumentar|resolve|resolver|close|fechar|encaminhar|passar|route)\w*\s)/g;

const EXAMPLE: Record<Lang, string> = {
  en: '"when a WhatsApp message mentions price, assign it to sales and create a task for tomorrow"',
  pt: '"quando uma mensagem do WhatsApp mencionar preço, atribuir a vendas e criar uma tarefa para amanhã"',
};

/**
 * The local provider's natural language -> flow: a documented set of sentence patterns in
 * Portuguese and English (README.md, "Natural language"). Everything in the sentence must be
 * understood; otherwise the answer says what was understood and how to rephrase, and no flow is
 * returned. Pure: names are resolved through the directory passed in.
 */
export function flowFromTextLocally(input: FlowFromTextInput): FlowFromTextResult {
  const text = piece(input.text);
  const lang: Lang = PT_START.test(text.folded) ? "pt" : EN_START.test(text.folded) ? "en" : detectLanguage(input.text, words(input.text)) === "pt" ? "pt" : "en";
  if (!text.original) return notUnderstood(lang, [], [], lang === "pt" ? "A instrução está vazia." : "The instruction is empty.");
  if (text.original.length > MAX_INSTRUCTION_LENGTH) return notUnderstood(lang, [], [], lang === "pt" ? `A instrução tem mais de ${MAX_INSTRUCTION_LENGTH} caracteres.` : `The instruction is longer than ${MAX_INSTRUCTION_LENGTH} characters.`);

  const { triggerText, clauses } = separateTrigger(splitOutside(text, CLAUSE_SEPARATOR));
  const parsed = parseTrigger(triggerText);
  if (!parsed || "unknown" in parsed) {
    const detail = parsed ? (lang === "pt" ? ` (palavras desconhecidas: ${parsed.unknown.join(", ")})` : ` (unknown words: ${parsed.unknown.join(", ")})`) : "";
    return notUnderstood(lang, [], [triggerText.original + detail]);
  }

  const understood = [parsed.said[lang]];
  const notUnderstoodParts: string[] = [];
  const steps: FlowStepInput[] = [{ actions: [] }];
  for (const clause of clauses) {
    const results = readClause(clause, { directory: input.directory, trigger: parsed, lang });
    if (!results) {
      notUnderstoodParts.push(clause.original);
      continue;
    }
    for (const result of results) {
      if (result.kind === "problem") notUnderstoodParts.push(result.said[lang]);
      else understood.push(result.said[lang]);
      if (result.kind === "wait") addWait(steps, result.wait);
      if (result.kind === "action") steps.at(-1)!.actions.push(result.action);
    }
  }
  if (notUnderstoodParts.length === 0) {
    if (steps.some((step) => step.wait !== undefined && step.actions.length === 0)) notUnderstoodParts.push(lang === "pt" ? "falta uma ação (depois de cada espera vem uma ação)" : "an action is missing (every wait must be followed by an action)");
    else if (steps.every((step) => step.actions.length === 0)) notUnderstoodParts.push(lang === "pt" ? "não há nenhuma ação (o que deve acontecer?)" : "there is no action (what should happen?)");
  }
  if (notUnderstoodParts.length) return notUnderstood(lang, understood, notUnderstoodParts);
  return compiled(lang, parsed, steps, understood);
}

/** The trigger is the first clause, plus keyword lists ("price, cost or discount") and up to an inline action verb. */
function separateTrigger(segments: Piece[]): { triggerText: Piece; clauses: Piece[] } {
  const [first, ...rest] = segments;
  let triggerText = first ?? piece("");
  const clauses: Piece[] = [];
  for (const match of triggerText.folded.matchAll(VERB)) {
    const tail = piece(triggerText.original.slice(match.index));
    if (isActionClause(splitOutside(tail, CONJUNCTION)[0] ?? tail)) {
      clauses.push(tail);
      triggerText = piece(triggerText.original.slice(0, match.index));
      break;
    }
  }
  while (clauses.length === 0 && rest.length && /\b(?:mention|mencion|contain|contiver|contenha|includ|falar|fale|pergunt|cit)/.test(triggerText.folded) && !isActionClause(rest[0]!) && words(rest[0]!.original).length <= 4) {
    triggerText = piece(`${triggerText.original}, ${rest.shift()!.original}`);
  }
  return { triggerText, clauses: [...clauses, ...rest] };
}

/**
 * A clause that is several actions joined by "and"/"e" ("assign to sales and create a task") is read
 * as those actions when each part is understood; otherwise as one clause (a reply text may contain "and").
 */
function readClause(clause: Piece, ctx: Parameters<typeof parseClause>[1]): Clause[] | null {
  const parts = splitOutside(clause, CONJUNCTION).map((part) => parseClause(part, ctx));
  const split = parts.length > 1 && parts.every((part) => part?.every((c) => c.kind !== "problem")) ? parts.flatMap((part) => part!) : null;
  return split ?? parseClause(clause, ctx);
}

function addWait(steps: FlowStepInput[], wait: string): void {
  const current = steps.at(-1)!;
  if (current.actions.length === 0 && current.wait === undefined) current.wait = wait;
  else steps.push({ wait, actions: [] });
}

function compiled(lang: Lang, parsed: ParsedTrigger, steps: FlowStepInput[], understood: string[]): FlowFromTextResult {
  const definition: FlowDefinition = { version: 1, trigger: parsed.trigger, ...(parsed.conditions ? { conditions: parsed.conditions } : {}), steps };
  const result = compileFlow(definition);
  if (result.ok) return { ok: true, definition, flow: result.flow, understood };
  const message = lang === "pt" ? "Entendi a instrução, mas o fluxo resultante não é válido:" : "I understood the instruction, but the flow it makes is not valid:";
  return { ok: false, understood, not_understood: [], message: `${message} ${result.errors.map((e) => `${e.path}: ${e.message}`).join("; ")}`, errors: result.errors };
}

function notUnderstood(lang: Lang, understood: string[], parts: string[], reason?: string): FlowFromTextResult {
  const heard = understood.length ? (lang === "pt" ? ` Entendi: ${understood.join("; ")}.` : ` I understood: ${understood.join("; ")}.`) : "";
  const missed = parts.length ? (lang === "pt" ? ` Não entendi: ${parts.map((p) => `"${p}"`).join(", ")}.` : ` I did not understand: ${parts.map((p) => `"${p}"`).join(", ")}.`) : "";
  const advice =
    lang === "pt"
      ? ` Escreva como ${EXAMPLE.pt} (veja os padrões de frase na ajuda), ou configure um provedor de IA (AI_BASE_URL, AI_API_KEY, AI_MODEL) para instruções livres.`
      : ` Write it like ${EXAMPLE.en} (see the sentence patterns in the help), or configure an AI provider (AI_BASE_URL, AI_API_KEY, AI_MODEL) for free-form instructions.`;
  return { ok: false, understood, not_understood: parts, message: `${reason ?? ""}${heard}${missed}${advice}`.trim(), errors: [] };
}
