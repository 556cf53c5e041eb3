import { describe, expect, it } from "vitest";
import type { Intent, Language, Sentiment } from "../../vocabulary";
import { classifyLocally } from "./classify";

/** The local provider's contract: these messages, these answers (README.md, "The local provider"). */
const MESSAGES: [text: string, intent: Intent, sentiment: Sentiment, language: Language][] = [
  ["Quanto custa?", "purchase_intent", "neutral", "pt"],
  ["Oi, qual o preço do plano anual?", "purchase_intent", "neutral", "pt"],
  ["Quero comprar 3 unidades, aceitam pix?", "purchase_intent", "neutral", "pt"],
  ["Gostaria de fazer um orçamento para a minha empresa", "purchase_intent", "neutral", "pt"],
  ["Vocês parcelam no cartão? Quais as formas de pagamento?", "purchase_intent", "neutral", "pt"],
  ["Péssimo atendimento, ninguém me responde!", "complaint", "negative", "pt"],
  ["Meu pedido ainda não chegou e já faz duas semanas", "complaint", "negative", "pt"],
  ["O produto veio quebrado, quero meu dinheiro de volta", "complaint", "negative", "pt"],
  ["Que absurdo, vou reclamar no Procon", "complaint", "negative", "pt"],
  ["Estou muito decepcionada com a entrega atrasada", "complaint", "negative", "pt"],
  ["Vocês entregam em Lisboa?", "question", "neutral", "pt"],
  ["Qual o horário de funcionamento da loja?", "question", "neutral", "pt"],
  ["Como faço para trocar a senha", "question", "neutral", "pt"],
  ["Bom dia!", "greeting", "neutral", "pt"],
  ["Olá, tudo bem?", "greeting", "neutral", "pt"],
  ["Muito obrigado, adorei o atendimento!", "other", "positive", "pt"],
  ["Não gostei do atendimento", "other", "negative", "pt"],
  ["Ganhe dinheiro fácil trabalhando de casa, clique aqui: bit.ly/xyz", "spam", "neutral", "pt"],
  ["Parabéns, você ganhou um pix premiado! Acesse http://a.example e http://b.example", "spam", "neutral", "pt"],
  ["ok", "other", "neutral", "unknown"],
  ["How much does the premium plan cost?", "purchase_intent", "neutral", "en"],
  ["I want to buy two of these, do you have them in stock?", "purchase_intent", "neutral", "en"],
  ["Can you send me a quote for 50 seats?", "purchase_intent", "neutral", "en"],
  ["This is the worst service ever, I want a refund", "complaint", "negative", "en"],
  ["My order never arrived and nobody answers my emails", "complaint", "negative", "en"],
  ["The app is not working since yesterday", "complaint", "negative", "en"],
  ["Do you ship to Canada?", "question", "neutral", "en"],
  ["What are your opening hours", "question", "neutral", "en"],
  ["Hello there", "greeting", "neutral", "en"],
  ["Good morning!", "greeting", "neutral", "en"],
  ["Thank you so much, the team was amazing", "other", "positive", "en"],
  ["I'm not happy with how this was handled", "other", "negative", "en"],
  ["Congratulations, you have won a free iPhone! Click here to claim your prize", "spam", "neutral", "en"],
  ["Earn money from home with crypto www.x.example www.y.example", "spam", "neutral", "en"],
  ["¿Cuánto cuesta el envío a Madrid?", "purchase_intent", "neutral", "es"],
  ["Hola, buenas tardes", "greeting", "neutral", "es"],
  ["Pésimo servicio, el pedido no llegó", "complaint", "negative", "es"],
  ["", "other", "neutral", "unknown"],
];

describe("local classifier on a fixed set of messages", () => {
  it.each(MESSAGES)("%s", (text, intent, sentiment, language) => {
    const { confidence, ...rest } = classifyLocally(text);
    expect(rest).toEqual({ intent, sentiment, language });
    expect(confidence).toBeGreaterThan(0);
    expect(confidence).toBeLessThanOrEqual(0.95);
  });

  it("has at least 30 messages in Portuguese and English", () => {
    expect(MESSAGES.filter(([, , , language]) => language === "pt" || language === "en").length).toBeGreaterThanOrEqual(30);
  });

  it("is deterministic", () => {
    for (const [text] of MESSAGES) expect(classifyLocally(text)).toEqual(classifyLocally(text));
  });

  it("is more confident with more evidence", () => {
    expect(classifyLocally("quanto custa? qual o preço? quero comprar").confidence).toBeGreaterThan(classifyLocally("quanto custa").confidence);
  });

  it("reads long texts without trouble", () => {
    expect(classifyLocally("quero comprar ".repeat(5000)).intent).toBe("purchase_intent");
  });
});
