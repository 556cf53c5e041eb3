/**
 * The local provider's vocabulary, per language, in `words` form (no accents, lower case).
 * README.md ("The local provider") documents it; the fixed message table in classify.test.ts is
 * the contract these lists are tuned against.
 */
export type LexiconLanguage = "pt" | "en" | "es";
export type Cues = Record<LexiconLanguage, readonly string[]>;

export const PURCHASE_CUES: Cues = {
  pt: [
    "quero comprar", "gostaria de comprar", "quero adquirir", "comprar", "quanto custa", "quanto custam", "quanto sai", "quanto fica",
    "qual o preco", "qual e o preco", "qual o valor", "qual valor", "preco", "precos", "valor", "valores", "orcamento", "cotacao",
    "formas de pagamento", "forma de pagamento", "parcelar", "parcelas", "pix", "boleto", "tem em estoque", "tem disponivel",
    "fazer um pedido", "fazer pedido", "encomendar", "contratar", "assinar", "desconto", "frete",
  ],
  en: [
    "want to buy", "would like to buy", "buy", "purchase", "how much", "price", "prices", "pricing", "cost", "costs", "quote",
    "place an order", "in stock", "payment options", "payment methods", "discount", "subscribe", "shipping cost",
  ],
  es: ["quiero comprar", "cuanto cuesta", "cuanto vale", "precio", "precios", "comprar", "cotizacion", "presupuesto"],
};

export const COMPLAINT_CUES: Cues = {
  pt: [
    "pessimo", "pessima", "horrivel", "reclamacao", "reclamar", "absurdo", "absurda", "nao funciona", "nao funcionou",
    "parou de funcionar", "nao chegou", "nunca chegou", "atrasado", "atrasada", "atraso", "quebrado", "quebrada", "veio errado",
    "defeito", "reembolso", "estorno", "dinheiro de volta", "cancelar", "procon", "reclame aqui", "descaso", "decepcionado",
    "decepcionada", "insatisfeito", "insatisfeita", "falta de respeito", "ninguem responde", "ninguem me responde", "vergonha",
  ],
  en: [
    "terrible", "awful", "horrible", "worst", "complaint", "complain", "not working", "doesn t work", "does not work",
    "didn t arrive", "did not arrive", "never arrived", "still waiting", "late", "delayed", "broken", "damaged", "defective",
    "refund", "money back", "cancel", "unacceptable", "ridiculous", "disappointed", "wrong item", "nobody answers", "rude",
  ],
  es: ["pesimo", "pesima", "queja", "reclamo", "no funciona", "no llego", "reembolso", "devolucion", "decepcionado", "estafa"],
};

export const SPAM_CUES: Cues = {
  pt: [
    "ganhe dinheiro", "renda extra", "dinheiro facil", "clique aqui", "clique no link", "voce ganhou", "voce foi sorteado",
    "promocao imperdivel", "trabalhe de casa", "lucro garantido", "investimento garantido", "bitcoin", "criptomoeda",
    "emprestimo aprovado", "pix premiado",
  ],
  en: [
    "click here", "you won", "you have won", "you ve won", "free money", "make money", "earn money", "work from home",
    "guaranteed profit", "crypto", "bitcoin", "casino", "viagra", "lottery", "claim your prize", "limited offer", "act now",
  ],
  es: ["gana dinero", "has ganado", "haz clic", "dinero facil", "premio"],
};

/** Words that open a question (at the start of a sentence); a "?" anywhere counts as well. */
export const QUESTION_OPENERS: Cues = {
  pt: ["como", "qual", "quais", "quando", "onde", "por que", "quem", "voces", "voce tem", "tem como", "e possivel", "poderia", "podem", "pode"],
  en: ["how", "what", "when", "where", "why", "who", "which", "do you", "does", "can", "could", "is there", "are you", "is it", "will"],
  es: ["como", "donde", "cuando", "cual", "tienen", "puedo", "pueden", "hay"],
};

export const GREETING_CUES: Cues = {
  pt: ["oi", "ola", "bom dia", "boa tarde", "boa noite", "tudo bem", "e ai"],
  en: ["hi", "hello", "hey", "good morning", "good afternoon", "good evening"],
  es: ["hola", "buenos dias", "buenas tardes", "buenas noches"],
};

export const POSITIVE_CUES: Cues = {
  pt: [
    "obrigado", "obrigada", "valeu", "otimo", "otima", "excelente", "adorei", "amei", "perfeito", "perfeita", "maravilhoso",
    "maravilhosa", "parabens", "gostei", "muito bom", "muito boa", "incrivel", "satisfeito", "satisfeita", "recomendo",
  ],
  en: ["thanks", "thank you", "great", "excellent", "love", "loved", "perfect", "awesome", "amazing", "wonderful", "happy", "well done", "recommend", "fantastic", "very good", "good job"],
  es: ["gracias", "excelente", "perfecto", "genial", "me encanta", "feliz"],
};

export const NEGATIVE_CUES: Cues = {
  pt: [
    "pessimo", "pessima", "horrivel", "ruim", "odeio", "odiei", "decepcionado", "decepcionada", "absurdo", "lixo", "vergonha",
    "insatisfeito", "insatisfeita", "raiva", "irritado", "irritada", "chateado", "chateada", "descaso",
  ],
  en: ["terrible", "awful", "horrible", "bad", "hate", "worst", "disappointed", "angry", "upset", "unacceptable", "ridiculous", "annoyed", "useless", "poor"],
  es: ["pesimo", "pesima", "horrible", "malo", "mala", "odio", "decepcionado", "enojado"],
};

/** A positive word right after one of these (within two words) reads as negative: "não gostei", "not good". */
export const NEGATORS = new Set(["nao", "not", "never", "nunca", "nem", "don", "didn", "isn", "wasn"]);

/** Frequent words found in one of the three languages and not the others. */
export const STOPWORDS: Cues = {
  pt: [
    "o", "os", "um", "uma", "do", "da", "dos", "das", "nao", "voce", "voces", "e", "com", "para", "pra", "meu", "minha", "isso",
    "esse", "essa", "tem", "muito", "tambem", "ola", "bom", "quero", "qual", "quanto", "gostaria", "ainda", "ja", "seu", "sua",
    "ao", "nos", "pelo", "pela", "mas", "eu", "ele", "ela", "foi", "estou", "tudo", "obrigado", "obrigada", "atendimento", "entregam",
  ],
  en: [
    "the", "an", "and", "is", "are", "you", "your", "i", "my", "me", "to", "of", "for", "with", "this", "that", "it", "do", "does",
    "what", "how", "much", "can", "please", "thanks", "hello", "want", "would", "like", "not", "have", "has", "was", "we", "our", "order",
  ],
  es: [
    "el", "los", "las", "y", "usted", "ustedes", "gracias", "hola", "quiero", "cuanto", "cuesta", "precio", "tengo", "tiene",
    "pero", "muy", "mucho", "necesito", "buenos", "buenas", "del", "al", "yo", "hay", "envian",
  ],
};

export const SHORTENED_LINK = /\b(bit\.ly|tinyurl\.com|goo\.gl|t\.co|cutt\.ly|encurtador\.com\.br)\//i;
export const LINK = /\bhttps?:\/\/\S+|\bwww\.\S+/gi;
