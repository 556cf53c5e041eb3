/**
 * Words and names for generated inboxes, each list in rough order of real-world frequency: the
 * generator draws from them with a Zipf-like (log-uniform rank) distribution, so the first entries
 * are common and the last are rare. Accents are deliberate: search must see through them.
 */

export const PORTUGUESE_WORDS = `
de a o que e do da em um para é com não uma os no se na por mais as dos como mas foi ao ele das tem à seu sua ou ser
quando muito há nos já está eu também só pelo pela até isso ela entre era depois sem mesmo aos ter seus quem nas me esse
eles estão você tinha foram essa num nem suas meu às minha têm numa pelos elas havia seja qual será nós tenho lhe
olá oi bom dia boa tarde noite obrigado obrigada pedido entrega favor por-favor preciso quero gostaria saber ainda hoje
amanhã ontem agora aqui então porque produto prazo frete valor preço cartão pagamento pix boleto endereço número
código rastreamento atendimento atenção informação informações dúvida problema resposta retorno aguardo cliente
loja compra comprei recebi chegou enviado enviar troca devolução reembolso cancelar cancelamento nota fiscal
desconto promoção cupom parcela parcelas juros crédito débito estoque disponível tamanho cor modelo garantia
assistência técnica atendente cadastro senha telefone mensagem solução reclamação urgente semana mês horário
sábado domingo segunda-feira terça-feira quarta-feira quinta-feira sexta-feira manhã possível transportadora
correios coleta embalagem etiqueta caixa item itens defeito quebrado errado faltando separação faturado aprovado
análise confirmação confirmado previsão situação questão opção ação razão região cidade estado São Paulo Rio
Janeiro Belém Maceió Goiânia Florianópolis Ribeirão Preto João Pessoa Paraná Pará Amapá Ceará Piauí Maranhão
Brasília Vitória Niterói Petrópolis Uberlândia Jundiaí Londrina Cuiabá Macapá Aracaju Teresina Natal Santarém
geladeira fogão máquina lavar celular capinha carregador fone notebook cadeira colchão sofá óculos relógio tênis
sandália camisa calça vestido jaqueta bolsa mochila perfume sabonete xampu condicionador protetor solar creme
açúcar café pão feijão arroz farinha óleo azeite maçã limão melão mamão abóbora pêssego maracujá açaí
`;

export const ENGLISH_WORDS = `
the to and a of i you is my it for in on this that be have with please can not we your at are was order hi hello
thanks thank do just get when will me so if from but about would there what an as no yes they one all delivery
shipping refund return payment card invoice tracking number address package parcel arrived received damaged
wrong size color exchange cancel cancellation discount coupon price stock available warranty support store
account password email phone today tomorrow yesterday week urgent issue problem question help update status
confirm confirmation still waiting weeks days since charged twice receipt courier pickup label box missing broken
defective replacement voucher gift wrapping express standard international customs fee tax café résumé naïve
façade fiancée jalapeño piñata crème brûlée protégé déjà vu
`;

/** Syllables for the long tail of rare words (product, street and brand names). */
export const TAIL_SYLLABLES = ["ba", "be", "ca", "ço", "da", "dé", "fa", "ga", "gui", "lha", "lo", "mã", "ma", "ne", "nho", "pa", "pé", "que", "ra", "ri", "sa", "ção", "ta", "tô", "va", "xi", "zu", "rão", "lê", "mi"];

export const FIRST_NAMES = `
Maria José Ana João Antônio Francisco Carlos Paulo Pedro Lucas Luiz Marcos Luís Gabriel Rafael Francisca Daniel
Marcelo Bruno Eduardo Felipe Raimundo Rodrigo Antônia Adriana Juliana Márcia Fernanda Patrícia Aline Sandra Camila
Amanda Bruna Jéssica Letícia Júlia Luciana Vanessa Mariana Gabriela Vera Vitória Larissa Cláudia Beatriz Luana Rita
Sônia Renata Eliane Josefa Simone Natália Cristina Carla Débora Rosângela Jaqueline Rosa Daniela Aparecida Marlene
Terezinha Raimunda Andréia Fabiana Lúcia Raquel Ângela Rafaela Joana Luzia Elaine Daiane Conceição Inês Fátima Thaís
Gonçalo Tomás Sebastião Estêvão Caetano Simão Cecília Mônica Célia Otávio Vinícius Ítalo Íris Lívia Sofia Heloísa
Valéria Nathália Emily John Michael Sarah David Jennifer James Olivia Noah Chloé Zoë Renée Noël André Joaquim Brígida
`;

export const SURNAMES = `
Silva Santos Oliveira Souza Rodrigues Ferreira Alves Pereira Lima Gomes Costa Ribeiro Martins Carvalho Almeida Lopes
Soares Fernandes Vieira Barbosa Rocha Dias Nascimento Andrade Moreira Nunes Marques Machado Mendes Freitas Cardoso
Ramos Gonçalves Santana Teixeira Araújo Conceição Magalhães Simões Guimarães Brandão Falcão Assunção Romão Jordão
Leão Mourão Sampaio Gusmão Peçanha Câmara Gaspar Brito Fonseca Antunes Tavares Sá Damião Galvão Aragão Cortês
Montenegro Smith Johnson Williams Brown Jones Miller Davis García Martínez Hernández López González Pérez Sánchez
O'Connor Müller Ó Estrela Cunha Bastos Queiroz Prudêncio
`;

export const AGENT_NAMES = ["Luana Assunção", "Caio Magalhães", "Inês Brandão", "Otávio Simões", "Thaís Guimarães", "Rúben Falcão", "Cecília Romão", "Estêvão Leão", "Mônica Jordão", "Vinícius Peçanha", "Íris Gusmão", "Tomás Aragão"];

export const EMAIL_DOMAINS = ["gmail.com", "hotmail.com", "outlook.com", "yahoo.com.br", "uol.com.br", "bol.com.br", "icloud.com", "empresa.com.br"];

export const EMAIL_SUBJECTS = ["Dúvida sobre o pedido", "Troca de produto", "Nota fiscal", "Pedido não chegou", "Order status", "Reembolso", "Atenção: endereço errado", "Orçamento"];

export const words = (list: string) => list.split(/\s+/).filter(Boolean);
