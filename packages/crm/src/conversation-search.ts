import { sql, type SQL } from "@alfred/db";

/**
 * How the inbox search box matches (conversations.list `q`), accents and case ignored both ways:
 * - contacts: every whitespace-separated term is a substring of the name, e-mail or phone (a term
 *   made of digits and phone punctuation is compared by its digits); trigram index, so terms of
 *   3+ characters are indexed and shorter ones are checked row by row;
 * - messages: every word of `q` is a whole word of one message, the last one also as a prefix when it
 *   has 3+ characters ("pedi" finds "pedido"); full-text index on `messages.search_vector`.
 * A conversation matches if its contact or one of its messages matches.
 */

const escapeLike = (term: string) => term.replace(/[\\%_]/g, (c) => `\\${c}`);
const PHONE_LIKE = /^[+()\d.-]*\d[+()\d.-]*$/;
const MIN_INDEXED_TERM = 3;

const searchTerms = (q: string) => q.split(/\s+/).filter(Boolean);

/** Contact `contact` (an SQL alias) matches every term of `q`. */
export function contactMatches(contact: SQL, q: string): SQL {
  const terms = searchTerms(q).map((term) => (PHONE_LIKE.test(term) ? term.replace(/\D/g, "") : term));
  return sql.join(
    terms.map((term) => sql`${contact}.search_text ilike alfred_unaccent(${`%${escapeLike(term)}%`})`),
    sql` and `,
  );
}

/** A tsquery literal of one word: quoted, so operators typed in the search box stay plain text. */
const quotedLexeme = (word: string) => `'${word.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;

/** The tsquery for message text (configuration `alfred_search`, as `messages.search_vector`). */
export function messageQuery(q: string): SQL {
  const words = searchTerms(q);
  const last = words.pop() ?? "";
  if (last.length < MIN_INDEXED_TERM) return sql`plainto_tsquery('alfred_search', ${q})`;
  return sql`(plainto_tsquery('alfred_search', ${words.join(" ")}) && to_tsquery('alfred_search', ${`${quotedLexeme(last)}:*`}))`;
}
