import type { ActionInput } from "../../definition/written";
import { resolveAssignee } from "../directory";
import type { AssigneeDirectory } from "../provider";
import type { Lang, ParsedTrigger, Said } from "./flow-trigger";
import { matchPiece, piece, unquote, type Piece } from "./sentences";

export type Clause = { kind: "action"; action: ActionInput; said: Said } | { kind: "wait"; wait: string; said: Said } | { kind: "problem"; said: Said };

interface Context {
  directory: AssigneeDirectory;
  trigger: ParsedTrigger;
  /** The language texts the flow writes (task titles, notifications) are in. */
  lang: Lang;
}

const N = "(\\d{1,3}|an?|one|two|three|four|five|six|seven|um|uma|dois|duas|tres|quatro|cinco|seis|sete)";
const UNIT = "(minutes?|hours?|days?|weeks?|minutos?|horas?|dias?|semanas?)";
const NUMBER_WORDS: Record<string, number> = { a: 1, an: 1, one: 1, um: 1, uma: 1, two: 2, dois: 2, duas: 2, three: 3, tres: 3, four: 4, quatro: 4, five: 5, cinco: 5, six: 6, seis: 6, seven: 7, sete: 7 };
const UNIT_LETTER: Record<string, string> = { minute: "m", minuto: "m", hour: "h", hora: "h", day: "d", dia: "d", week: "w", semana: "w" };
const UNIT_WORDS: Record<string, Said> = { m: { en: "minute(s)", pt: "minuto(s)" }, h: { en: "hour(s)", pt: "hora(s)" }, d: { en: "day(s)", pt: "dia(s)" }, w: { en: "week(s)", pt: "semana(s)" } };

/** "2", "hours" -> "2h"; null when the number is out of range. */
function duration(count: string, unit: string): string | null {
  const n = /^\d+$/.test(count) ? Number(count) : NUMBER_WORDS[count];
  const letter = UNIT_LETTER[unit.replace(/s$/, "")];
  return n && n > 0 && letter ? `${n}${letter}` : null;
}

const sayDuration = (d: string): Said => ({ en: `${d.slice(0, -1)} ${UNIT_WORDS[d.slice(-1)]!.en}`, pt: `${d.slice(0, -1)} ${UNIT_WORDS[d.slice(-1)]!.pt}` });

const ROLE_WORDS: Record<string, "agent" | "manager" | "admin"> = {
  agents: "agent", agentes: "agent", managers: "manager", gerentes: "manager", gestores: "manager", supervisores: "manager",
  admins: "admin", administrators: "admin", administradores: "admin",
};
const STATUS_WORDS: Record<string, "open" | "pending" | "resolved"> = {
  open: "open", pending: "pending", resolved: "resolved", closed: "resolved", solved: "resolved",
  aberta: "open", aberto: "open", pendente: "pending", resolvida: "resolved", resolvido: "resolved", fechada: "resolved", fechado: "resolved", encerrada: "resolved",
};
const PRIORITY_WORDS: Record<string, "low" | "normal" | "high" | "urgent"> = {
  low: "low", normal: "normal", high: "high", urgent: "urgent", "high priority": "high", "low priority": "low",
  baixa: "low", alta: "high", urgente: "urgent", "prioridade alta": "high", "alta prioridade": "high", "prioridade baixa": "low",
};

type Builder = (groups: (string | undefined)[], ctx: Context) => Clause;
const act = (action: ActionInput, said: Said): Clause => ({ kind: "action", action, said });
const problem = (said: Said): Clause => ({ kind: "problem", said });

const PATTERNS: [RegExp, Builder][] = [
  [new RegExp(`^(?:wait|after|esperar|espere|aguardar|aguarde|depois de|apos)\\s+${N}\\s+${UNIT}$`), ([, n, unit]) => waitClause(n!, unit!)],
  [/^(?:reply|respond|answer)\s+(?:to (?:them|the customer|the contact)\s+)?(?:with|saying)\s+(.+)$/, ([, text]) => reply(text!)],
  [/^send\s+(?:them\s+|the customer\s+)?(?:a\s+)?(?:message|reply)\s+(?:saying\s+|with\s+)?(.+)$/, ([, text]) => reply(text!)],
  [/^(?:responder|responda|enviar|envie|mandar|mande)\s+(?:uma\s+)?(?:mensagem|resposta)?\s*(?:com|dizendo|falando|:)\s+(.+)$/, ([, text]) => reply(text!)],
  [/^(?:add|leave|write)\s+(?:an?\s+)?(?:internal\s+)?(?:note|comment)\s+(?:saying\s+|with\s+|:\s*)?(.+)$/, ([, text]) => comment(text!)],
  [/^(?:adicionar|adicione|deixar|deixe|escrever|escreva)\s+(?:uma?\s+)?(?:nota|comentario)(?:\s+interna|\s+interno)?\s+(?:dizendo\s+|com\s+|:\s*)?(.+)$/, ([, text]) => comment(text!)],
  [/^(?:create|add|open|make)\s+(?:an?\s+)?(?:follow[- ]?up\s+)?task\b\s*(.*)$/, ([, rest], ctx) => task(rest ?? "", ctx)],
  [/^(?:criar|crie|cria|abrir|abra|adicionar|adicione|gerar|gere)\s+(?:uma\s+)?tarefa(?:\s+de\s+(?:follow[- ]?up|retorno|acompanhamento))?\b\s*(.*)$/, ([, rest], ctx) => task(rest ?? "", ctx)],
  [/^(?:set|change|make)\s+(?:the\s+)?priority\s+(?:to\s+)?(low|normal|high|urgent)$/, ([, p]) => priority(p!)],
  [/^(?:mark|flag)\s+(?:it\s+|this\s+|the conversation\s+)?as\s+(urgent|high priority|low priority)$/, ([, p]) => priority(p!)],
  [/^(?:definir|defina|colocar|coloque|mudar|mude|alterar|altere)\s+(?:a\s+)?prioridade\s+(?:para\s+|como\s+|em\s+)?(baixa|normal|alta|urgente)$/, ([, p]) => priority(p!)],
  [/^(?:marcar|marque)\s+(?:a conversa\s+|ela\s+)?como\s+(urgente|prioridade alta|alta prioridade|prioridade baixa)$/, ([, p]) => priority(p!)],
  [/^(?:mark|set)\s+(?:it\s+|this\s+|the conversation\s+|the chat\s+)?(?:as|to|status to|the status to)\s+(open|pending|resolved|closed|solved)$/, ([, s]) => status(s!)],
  [/^(resolve|close)(?:\s+it|\s+the conversation|\s+the chat)?$/, () => status("resolved")],
  [/^(?:marcar|marque|mudar|mude|colocar|coloque|definir|defina|alterar|altere)\s+(?:a conversa\s+|o status\s+|o status da conversa\s+|status\s+|ela\s+)?(?:como|para|em)\s+(aberta|aberto|pendente|resolvida|resolvido|fechada|fechado|encerrada)$/, ([, s]) => status(s!)],
  [/^(?:resolver|resolva|fechar|feche|encerrar|encerre)(?:\s+a conversa)?$/, () => status("resolved")],
  [/^(?:add|apply|put)\s+(?:the\s+|a\s+)?(?:label|tag)\s+(.+)$/, ([, l]) => label(l!)],
  [/^(?:label|tag)\s+(?:it|this|the conversation)\s+(?:as\s+|with\s+)?(.+)$/, ([, l]) => label(l!)],
  [/^(?:adicionar|adicione|colocar|coloque|aplicar|aplique|por|ponha)\s+(?:a\s+)?(?:etiqueta|tag|marcador)\s+(.+)$/, ([, l]) => label(l!)],
  [/^(?:etiquetar|etiquete)\s+(?:a conversa\s+)?(?:como\s+|com\s+)?(.+)$/, ([, l]) => label(l!)],
  [/^(?:notify|alert|tell|warn)\s+(?:the\s+|all\s+|all the\s+)?(.+)$/, ([, who], ctx) => notify(who!, ctx)],
  [/^(?:notificar|notifique|avisar|avise|alertar|alerte)\s+(?:os\s+|as\s+|todos os\s+|o\s+|a\s+)?(.+)$/, ([, who], ctx) => notify(who!, ctx)],
  [/^(increase|raise|decrease|lower|reduce)\s+(?:the\s+)?lead score\s+by\s+(\d{1,3})(?:\s+points)?$/, ([, verb, n]) => score(n!, /^(?:decrease|lower|reduce)$/.test(verb!))],
  [/^(aumentar|aumente|diminuir|diminua|reduzir|reduza)\s+(?:a\s+)?pontuacao(?:\s+do\s+lead)?\s+em\s+(\d{1,3})(?:\s+pontos)?$/, ([, verb, n]) => score(n!, /^(?:diminu|reduz)/.test(verb!))],
  [/^(?:assign|route|send|transfer|give)\s+(?:it\s+|this\s+|them\s+|the conversation\s+|the chat\s+)?to\s+(.+)$/, ([, who], ctx) => assign(who!, ctx)],
  [/^(?:atribuir|atribua|atribui|encaminhar|encaminhe|passar|passe|direcionar|direcione|transferir|transfira|mandar|mande|enviar|envie)\s+(?:a conversa\s+|o atendimento\s+|ela\s+|isso\s+)?(?:para|pra|ao|aos|as|a)\s+(.+)$/, ([, who], ctx) => assign(who!, ctx)],
];

const LEADING_CONJUNCTION = /^(?:and|then|also|e|entao|depois|tambem)\s+/;
const AFTER = new RegExp(`^(?:after|depois de|apos)\\s+${N}\\s+${UNIT}\\s*,?\\s+(.+)$`);

/** Whether a clause starts like an action the patterns know, whatever its object. */
export function isActionClause(clause: Piece): boolean {
  const p = piece(clause.original.replace(/^\s*(?:and|then|also|e|então|entao|depois|também|tambem)\s+/i, ""));
  return AFTER.test(p.folded) || PATTERNS.some(([pattern]) => pattern.test(p.folded));
}

/**
 * One action clause ("assign it to sales"); "after 2 days, create a task" gives a wait and the
 * action. Null when no pattern recognises the clause.
 */
export function parseClause(clause: Piece, ctx: Context): Clause[] | null {
  let p = clause;
  for (let lead = LEADING_CONJUNCTION.exec(p.folded); lead; lead = LEADING_CONJUNCTION.exec(p.folded)) p = piece(p.original.slice(lead[0].length));
  const after = matchPiece(p, AFTER);
  if (after) {
    const rest = parseClause(piece(after[3]!), ctx);
    return rest && [waitClause(after[1]!, after[2]!), ...rest];
  }
  for (const [pattern, build] of PATTERNS) {
    const groups = matchPiece(p, pattern);
    if (groups) return [build(groups, ctx)];
  }
  return null;
}

function waitClause(n: string, unit: string): Clause {
  const d = duration(n.toLowerCase(), unit.toLowerCase());
  if (!d) return problem({ en: `I could not read the wait "${n} ${unit}"`, pt: `Não entendi a espera "${n} ${unit}"` });
  const s = sayDuration(d);
  return { kind: "wait", wait: d, said: { en: `Wait ${s.en}`, pt: `Esperar ${s.pt}` } };
}

function reply(text: string): Clause {
  const body = unquote(text);
  return act({ type: "send_message", params: { text: body } }, { en: `Reply "${body}"`, pt: `Responder "${body}"` });
}

function comment(text: string): Clause {
  const body = unquote(text);
  return act({ type: "add_internal_comment", params: { text: body } }, { en: `Add the internal note "${body}"`, pt: `Adicionar a nota interna "${body}"` });
}

function priority(word: string): Clause {
  const value = PRIORITY_WORDS[piece(word).folded]!;
  return act({ type: "set_priority", params: { priority: value } }, { en: `Set the priority to ${value}`, pt: `Definir a prioridade como ${value}` });
}

function status(word: string): Clause {
  const value = STATUS_WORDS[piece(word).folded]!;
  return act({ type: "set_status", params: { status: value } }, { en: `Set the status to ${value}`, pt: `Mudar o status para ${value}` });
}

function label(text: string): Clause {
  const value = unquote(text);
  return act({ type: "add_label", params: { label: value } }, { en: `Add the label "${value}"`, pt: `Adicionar a etiqueta "${value}"` });
}

function score(n: string, down: boolean): Clause {
  const delta = down ? -Number(n) : Number(n);
  return act({ type: "change_lead_score", params: { delta } }, { en: `Change the lead score by ${delta > 0 ? "+" : ""}${delta}`, pt: `Alterar a pontuação do lead em ${delta > 0 ? "+" : ""}${delta}` });
}

const ONLINE_AGENTS = /^(?:(?:any|an|the|whoever is)\s+)?(?:online agents?|agents? online|online)$|^(?:(?:qualquer|um|os|algum)\s+)?(?:agentes? online|agentes? disponive(?:l|is)|quem estiver online)$/;

function assign(who: string, ctx: Context): Clause {
  if (ONLINE_AGENTS.test(piece(who).folded)) {
    return act({ type: "assign_round_robin", params: { among: "online_agents" } }, { en: "Assign to the next online agent (round robin)", pt: "Atribuir ao próximo agente online (rodízio)" });
  }
  const found = resolveAssignee(ctx.directory, who);
  if (!found) return unknownPerson(who, ctx);
  if (found.user_ids.length === 1) return act({ type: "assign_agent", params: { user_id: found.user_ids[0]! } }, { en: `Assign to ${found.name}`, pt: `Atribuir a ${found.name}` });
  return act(
    { type: "assign_round_robin", params: { among: found.user_ids } },
    { en: `Assign to ${found.name} (round robin among ${found.user_ids.length} agents)`, pt: `Atribuir a ${found.name} (rodízio entre ${found.user_ids.length} agentes)` },
  );
}

function notify(who: string, ctx: Context): Clause {
  const title = notificationTitle(ctx.trigger)[ctx.lang];
  const role = ROLE_WORDS[piece(who).folded];
  if (role) return act({ type: "notify_users", params: { to: { role }, title } }, { en: `Notify every ${role}`, pt: `Notificar todos os ${who}` });
  const found = resolveAssignee(ctx.directory, who);
  if (!found) return unknownPerson(who, ctx);
  return act({ type: "notify_users", params: { to: { user_ids: found.user_ids }, title } }, { en: `Notify ${found.name}`, pt: `Notificar ${found.name}` });
}

function unknownPerson(who: string, ctx: Context): Clause {
  const known = ctx.directory.entries.map((e) => e.name).join(", ") || "-";
  return problem({ en: `I do not know who "${who}" is (known: ${known})`, pt: `Não sei quem é "${who}" (conhecidos: ${known})` });
}

function notificationTitle(trigger: ParsedTrigger): Said {
  if (trigger.trigger.type === "task.overdue") return { en: "Overdue task: {{event.title}}", pt: "Tarefa atrasada: {{event.title}}" };
  if (trigger.trigger.type === "lead.stalled") return { en: "Lead stalled: {{contact.name | a contact}}", pt: "Lead parado: {{contact.name | um contato}}" };
  return { en: "New message from {{contact.name | a contact}}", pt: "Nova mensagem de {{contact.name | um contato}}" };
}

const DUE_PATTERNS: [RegExp, (m: RegExpExecArray) => string | null][] = [
  [/\b(?:for |due )?tomorrow\b|\b(?:para )?amanha\b/, () => "1d"],
  [/\b(?:for |due )?next week\b|\b(?:para )?(?:a )?proxima semana\b|\bsemana que vem\b/, () => "1w"],
  [new RegExp(`\\b(?:due |for )?in ${N} ${UNIT}\\b|\\b(?:for )?${N} ${UNIT} from now\\b`), (m) => duration(m[1] ?? m[3]!, m[2] ?? m[4]!)],
  [new RegExp(`\\b(?:para )?(?:daqui a|em|dentro de) ${N} ${UNIT}\\b`), (m) => duration(m[1]!, m[2]!)],
];

function task(rest: string, ctx: Context): Clause {
  let p = piece(rest);
  let due: string | null = null;
  for (const [pattern, read] of DUE_PATTERNS) {
    const m = pattern.exec(p.folded);
    if (!m) continue;
    due = read(m);
    p = piece(p.original.slice(0, m.index) + p.original.slice(m.index + m[0].length));
    break;
  }
  const named = matchPiece(p, /^(?:called|titled|named|chamada|com o titulo|intitulada)?\s*("[^"]*"|“[^”]*”)$/) ?? matchPiece(p, /^(?:to|para|de)\s+(.+)$/);
  if (p.original && !named) return problem({ en: `I could not understand the task "${rest}"`, pt: `Não entendi a tarefa "${rest}"` });
  const title = named ? unquote(named[1]!) : defaultTitle(ctx.trigger)[ctx.lang];
  const when = due ? sayDuration(due) : null;
  return act(due ? { type: "create_task", params: { title, due_in: due } } : { type: "create_task", params: { title } }, {
    en: `Create the task "${title}"${when ? `, due in ${when.en}` : ""}`,
    pt: `Criar a tarefa "${title}"${when ? `, para daqui a ${when.pt}` : ""}`,
  });
}

function defaultTitle(trigger: ParsedTrigger): Said {
  const about = trigger.terms.length ? trigger.terms[0] : null;
  return {
    en: `Follow up with {{contact.name | the contact}}${about ? ` about ${about}` : ""}`,
    pt: `Retornar para {{contact.name | o cliente}}${about ? ` sobre ${about}` : ""}`,
  };
}
