import type { ConditionInput, TriggerInput } from "../../definition/written";
import type { ChannelType } from "../../vocabulary";
import { matchPiece, piece, splitOutside, unquote, type Piece } from "./sentences";

export type Lang = "pt" | "en";
export type Said = Record<Lang, string>;

export interface ParsedTrigger {
  trigger: TriggerInput;
  conditions?: ConditionInput;
  /** The keywords the message must mention, for default task titles. */
  terms: string[];
  said: Said;
}

const STARTER = /^(?:when(?:ever)?|if|every time|each time|quando|sempre que|toda vez que|cada vez que|se)\s+/;
const MENTION =
  /\b(?:mentions?|mentioning|contains?|containing|includes?|including|says|talks about|asks about|asking about|is about|mencionar|mencione|menciona|mencionando|contiver|contenha|contem|contendo|falar (?:de|sobre|em)|fale (?:de|sobre|em)|falando (?:de|sobre|em)|perguntar (?:sobre|por|pelo|pela)|pergunte (?:sobre|por|pelo|pela)|perguntando (?:sobre|por|pelo|pela)|citar|cite|disser)\s+(.+)$/;
const TERM_SEPARATOR = /\s*(?:,|\bor\b|\bou\b|\/)\s*/;
const TERM_LEAD = /^(?:the words?|a palavra|as palavras|o termo|os termos)\s+/;

const CHANNELS: Record<string, ChannelType> = { whatsapp: "whatsapp", instagram: "instagram", messenger: "messenger", facebook: "messenger", email: "email", "e-mail": "email" };
const CHANNEL_NAMES: Record<ChannelType, string> = { whatsapp: "WhatsApp", instagram: "Instagram", messenger: "Messenger", email: "e-mail", api: "API" };

const MESSAGE_WORDS = "a an any the new message messages arrives arrive comes come in is gets received from on via through uma um alguma qualquer nova novo mensagem mensagens chegar chega chegue for recebida entrar entra do de pelo pela no na vinda";
const TASK_WORDS = "a an any the task tasks is becomes gets goes overdue late past due uma alguma qualquer tarefa tarefas ficar fica estiver esta atrasada atrasadas atrasar atrasa vencer vence vencida vencidas for";
const LEAD_WORDS = "a an any the lead leads stalls stall stalled is gets goes quiet stuck becomes um algum qualquer ficar fica estiver esta parado parada parar para de responder esfriar esfria estagnado travado travar";

const KINDS = [
  { key: /\b(?:messages?|mensage(?:m|ns))\b/, words: new Set([...MESSAGE_WORDS.split(" "), ...Object.keys(CHANNELS)]) },
  { key: /\b(?:tasks?|tarefas?)\b/, words: new Set(TASK_WORDS.split(" ")) },
  { key: /\bleads?\b/, words: new Set(LEAD_WORDS.split(" ")) },
] as const;

/**
 * The trigger sentences the local provider understands (README.md, "Natural language"): a new
 * message (optionally on one channel, optionally mentioning keywords), an overdue task, a stalled
 * lead. Every word must be accounted for; an unknown word makes the trigger not understood, so a
 * condition is never silently dropped.
 */
export function parseTrigger(p: Piece): ParsedTrigger | { unknown: string[] } | null {
  const start = STARTER.exec(p.folded);
  if (!start) return null;
  const body = { original: p.original.slice(start[0].length), folded: p.folded.slice(start[0].length) };
  const mention = MENTION.exec(body.folded);
  const head = mention ? body.folded.slice(0, mention.index) : body.folded;
  const headWords = head.split(/[^\p{L}\p{N}-]+/u).filter(Boolean);
  const kind = KINDS.findIndex((k) => k.key.test(head));
  if (kind < 0) return null;
  const unknown = headWords.filter((word) => !KINDS[kind]!.words.has(word));
  if (unknown.length) return { unknown };
  if (kind === 1) return { trigger: { kind: "schedule", type: "task.overdue" }, terms: [], said: { en: "When a task becomes overdue", pt: "Quando uma tarefa ficar atrasada" } };
  if (kind === 2) return { trigger: { kind: "schedule", type: "lead.stalled" }, terms: [], said: { en: "When a lead stalls", pt: "Quando um lead ficar parado" } };
  const channel = headWords.map((word) => CHANNELS[word]).find(Boolean) ?? null;
  const terms = mention ? readTerms(matchPiece(body, MENTION)![1]!) : [];
  return messageTrigger(channel, terms);
}

function readTerms(text: string): string[] {
  return splitOutside(piece(text), TERM_SEPARATOR)
    .map((term) => unquote(term.original.slice(term.folded.length - term.folded.replace(TERM_LEAD, "").length)))
    .filter(Boolean);
}

function messageTrigger(channel: ChannelType | null, terms: string[]): ParsedTrigger {
  const tests: ConditionInput[] = [];
  if (channel) tests.push({ path: "event.channel_type", op: "equals", value: channel });
  if (terms.length) tests.push({ any: terms.map((term) => ({ path: "message.body", op: "contains" as const, value: term, ignore_case_and_accents: true })) });
  const quoted = (joiner: string) => terms.map((t) => `"${t}"`).join(joiner);
  return {
    trigger: { kind: "event", type: "message.ingested" },
    conditions: tests.length ? { all: tests } : undefined,
    terms,
    said: {
      en: `When a new${channel ? ` ${CHANNEL_NAMES[channel]}` : ""} message arrives${terms.length ? ` that mentions ${quoted(" or ")}` : ""}`,
      pt: `Quando chegar uma nova mensagem${channel ? ` do ${CHANNEL_NAMES[channel]}` : ""}${terms.length ? ` que mencione ${quoted(" ou ")}` : ""}`,
    },
  };
}
