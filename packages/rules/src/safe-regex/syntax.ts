/**
 * The regular-expression subset `matches` accepts, parsed into a tree the linear-time matcher runs.
 * It is JavaScript syntax (as with the `u` flag) minus everything that needs backtracking:
 * no backreferences and no lookaround. Anything outside the subset is refused with its position,
 * never silently reinterpreted.
 */
export type ClassItem = { kind: "range"; from: number; to: number } | { kind: "class"; name: "d" | "w" | "s"; negate: boolean };
export interface CharSet {
  negate: boolean;
  items: ClassItem[];
}

export type RegexNode =
  | { t: "char"; set: CharSet }
  | { t: "assert"; kind: "start" | "end" | "word_boundary" | "not_word_boundary" }
  | { t: "seq"; items: RegexNode[] }
  | { t: "alt"; options: RegexNode[] }
  | { t: "repeat"; node: RegexNode; min: number; max: number | null };

export const MAX_PATTERN_LENGTH = 200;
export const MAX_COUNTED_REPEAT = 100;

export class RegexSyntaxError extends Error {
  override name = "RegexSyntaxError";
}

const LINE_TERMINATORS = [0x0a, 0x0d, 0x2028, 0x2029];
const SIMPLE_ESCAPES: Record<string, number> = { t: 0x09, n: 0x0a, r: 0x0d, f: 0x0c, v: 0x0b };
const SYNTAX_CHARACTERS = new Set("^$\\.*+?()[]{}|/-");

const single = (code: number): ClassItem => ({ kind: "range", from: code, to: code });
const literal = (code: number): RegexNode => ({ t: "char", set: { negate: false, items: [single(code)] } });

/**
 * `fold` lowers literal letters and strips their accents, to match a subject folded the same way
 * (the `ignore_case_and_accents` option).
 */
export function parseRegex(pattern: string, options: { fold?: boolean } = {}): RegexNode {
  if (pattern.length > MAX_PATTERN_LENGTH) throw new RegexSyntaxError(`the pattern is longer than ${MAX_PATTERN_LENGTH} characters`);
  return new Parser(Array.from(pattern, (c) => c.codePointAt(0)!), options.fold ?? false).parse();
}

export function foldText(text: string): string {
  return text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}

class Parser {
  private at = 0;
  constructor(
    private readonly chars: number[],
    private readonly fold: boolean,
  ) {}

  parse(): RegexNode {
    const node = this.alternation();
    if (this.at < this.chars.length) this.fail(this.peek() === ")" ? "unmatched ')'" : "unexpected character");
    return node;
  }

  private peek(offset = 0): string | undefined {
    const code = this.chars[this.at + offset];
    return code === undefined ? undefined : String.fromCodePoint(code);
  }

  private fail(message: string, at = this.at): never {
    throw new RegexSyntaxError(`${message} at character ${at + 1}`);
  }

  private alternation(): RegexNode {
    const options = [this.sequence()];
    while (this.peek() === "|") {
      this.at++;
      options.push(this.sequence());
    }
    return options.length === 1 ? options[0]! : { t: "alt", options };
  }

  private sequence(): RegexNode {
    const items: RegexNode[] = [];
    while (this.at < this.chars.length && this.peek() !== "|" && this.peek() !== ")") {
      const atom = this.atom();
      items.push(this.quantified(atom));
    }
    return items.length === 1 ? items[0]! : { t: "seq", items };
  }

  private quantified(atom: RegexNode): RegexNode {
    const bounds = this.quantifier();
    if (!bounds) return atom;
    if (atom.t === "assert") this.fail("nothing to repeat");
    if (this.peek() === "?") this.at++; // lazy or greedy: the same answer to "is there a match"
    if (this.peek() !== undefined && "*+?{".includes(this.peek()!)) this.fail("a quantifier cannot follow a quantifier");
    return { t: "repeat", node: atom, ...bounds };
  }

  private quantifier(): { min: number; max: number | null } | null {
    const c = this.peek();
    if (c === "*" || c === "+" || c === "?") {
      this.at++;
      return c === "*" ? { min: 0, max: null } : c === "+" ? { min: 1, max: null } : { min: 0, max: 1 };
    }
    if (c !== "{") return null;
    const match = /^\{(\d{1,4})(,(\d{0,4}))?\}/.exec(String.fromCodePoint(...this.chars.slice(this.at, this.at + 12)));
    if (!match) this.fail('"{" must start a repetition such as {2,5}; write \\{ for a literal brace');
    const min = Number(match[1]);
    const max = match[2] === undefined ? min : match[3] === "" ? null : Number(match[3]);
    if (min > MAX_COUNTED_REPEAT || (max !== null && max > MAX_COUNTED_REPEAT)) this.fail(`repetition counts are limited to ${MAX_COUNTED_REPEAT}`);
    if (max !== null && max < min) this.fail("numbers out of order in {} quantifier");
    this.at += match[0].length;
    return { min, max };
  }

  private atom(): RegexNode {
    const c = this.peek()!;
    switch (c) {
      case "(":
        return this.group();
      case "[":
        return this.charClass();
      case ".":
        this.at++;
        return { t: "char", set: { negate: true, items: LINE_TERMINATORS.map(single) } };
      case "^":
        this.at++;
        return { t: "assert", kind: "start" };
      case "$":
        this.at++;
        return { t: "assert", kind: "end" };
      case "\\":
        return this.escape();
      case "*":
      case "+":
      case "?":
      case "{":
        return this.fail("nothing to repeat");
      case "}":
      case "]":
        return this.fail(`lone "${c}"; write \\${c} for the character itself`);
      default:
        this.at++;
        return this.literalText(c);
    }
  }

  private literalText(c: string): RegexNode {
    if (!this.fold) return literal(c.codePointAt(0)!);
    const folded = Array.from(foldText(c), (x) => literal(x.codePointAt(0)!));
    return folded.length === 1 ? folded[0]! : { t: "seq", items: folded };
  }

  private group(): RegexNode {
    this.at++;
    if (this.peek() === "?") {
      const next = this.peek(1);
      if (next === ":") this.at += 2;
      else if (next === "=" || next === "!" || (next === "<" && (this.peek(2) === "=" || this.peek(2) === "!"))) this.fail("lookahead and lookbehind are not supported");
      else if (next === "<") this.groupName();
      else this.fail("unsupported group syntax");
    }
    const inner = this.alternation();
    if (this.peek() !== ")") this.fail("missing ')'");
    this.at++;
    return inner;
  }

  private groupName(): void {
    const rest = String.fromCodePoint(...this.chars.slice(this.at + 2, this.at + 40));
    const name = /^([A-Za-z_][A-Za-z0-9_]*)>/.exec(rest);
    if (!name) this.fail("invalid group name");
    this.at += 2 + name[0].length;
  }

  private escape(): RegexNode {
    const item = this.escapeItem(false);
    return item.kind === "assert" ? { t: "assert", kind: item.which } : { t: "char", set: { negate: false, items: [item] } };
  }

  /** One escape sequence; `inClass` changes \b (backspace inside [...]) and forbids assertions. */
  private escapeItem(inClass: boolean): ClassItem | { kind: "assert"; which: "word_boundary" | "not_word_boundary" } {
    const start = this.at++;
    const c = this.peek();
    if (c === undefined) this.fail("the pattern ends with a lone \\", start);
    this.at++;
    if (c === "b") return inClass ? single(0x08) : { kind: "assert", which: "word_boundary" };
    if (c === "B" && !inClass) return { kind: "assert", which: "not_word_boundary" };
    if ("dws".includes(c)) return { kind: "class", name: c as "d" | "w" | "s", negate: false };
    if ("DWS".includes(c)) return { kind: "class", name: c.toLowerCase() as "d" | "w" | "s", negate: true };
    if (Object.hasOwn(SIMPLE_ESCAPES, c)) return single(SIMPLE_ESCAPES[c]!);
    if (c === "0" && !/[0-9]/.test(this.peek() ?? "")) return single(0);
    if (/[1-9]/.test(c) || c === "k") this.fail("backreferences are not supported", start);
    if (c === "p" || c === "P") this.fail("unicode property escapes are not supported", start);
    if (c === "x") return single(this.foldCode(String.fromCodePoint(this.hex(2))));
    if (c === "u") return single(this.foldCode(String.fromCodePoint(this.hex(4))));
    if (SYNTAX_CHARACTERS.has(c)) return single(this.foldCode(c));
    return this.fail(`unknown escape \\${c}`, start);
  }

  private hex(digits: number): number {
    const text = String.fromCodePoint(...this.chars.slice(this.at, this.at + digits));
    if (!new RegExp(`^[0-9A-Fa-f]{${digits}}$`).test(text)) this.fail(`expected ${digits} hexadecimal digits`);
    this.at += digits;
    return parseInt(text, 16);
  }

  private foldCode(c: string): number {
    return this.fold ? foldText(c).codePointAt(0) ?? c.codePointAt(0)! : c.codePointAt(0)!;
  }

  private charClass(): RegexNode {
    this.at++;
    const negate = this.peek() === "^";
    if (negate) this.at++;
    const items: ClassItem[] = [];
    while (this.peek() !== "]") {
      if (this.peek() === undefined) this.fail("missing ']'");
      const from = this.classAtom();
      if (this.peek() === "-" && this.peek(1) !== "]" && this.peek(1) !== undefined) {
        this.at++;
        const to = this.classAtom();
        if (from.kind !== "range" || to.kind !== "range") this.fail("a range cannot use a class such as \\d");
        if (from.from > to.to) this.fail("range out of order in character class");
        items.push({ kind: "range", from: from.from, to: to.to });
      } else {
        items.push(from);
      }
    }
    this.at++;
    return { t: "char", set: { negate, items } };
  }

  private classAtom(): ClassItem {
    const c = this.peek()!;
    if (c === "\\") return this.escapeItem(true) as ClassItem;
    this.at++;
    return single(this.foldCode(c));
  }
}
