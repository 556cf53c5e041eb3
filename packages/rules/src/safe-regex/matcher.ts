import { foldText, parseRegex, RegexSyntaxError, type CharSet, type ClassItem, type RegexNode } from "./syntax";

/**
 * A Thompson NFA run over the subject once, carrying the set of live states from character to
 * character: time is O(subject length x pattern states) whatever the pattern, so `(a+)+$`, `(a|a)*b`
 * or `\s*\s*\s*$` cost the same as `abc`. JavaScript's backtracking engine would take exponential
 * (or high polynomial) time on them, which a tenant could use to stall the worker.
 */
export const MAX_STATES = 2000;
/** Only the start of a very long subject (an e-mail body) is searched, to bound the work per check. */
export const MAX_SUBJECT_LENGTH = 16_384;

type State =
  | { kind: "char"; set: CharSet; out: number }
  | { kind: "assert"; which: "start" | "end" | "word_boundary" | "not_word_boundary"; out: number }
  | { kind: "split"; out: number; alt: number }
  | { kind: "match" };

export interface CompiledRegex {
  readonly fold: boolean;
  test(subject: string): boolean;
}

/** Throws RegexSyntaxError for patterns outside the subset or bigger than MAX_STATES. */
export function compileSafeRegex(pattern: string, options: { fold?: boolean } = {}): CompiledRegex {
  const fold = options.fold ?? false;
  const builder = new Builder();
  const matchState = builder.push({ kind: "match" });
  const start = builder.build(parseRegex(pattern, { fold }), matchState);
  const states = builder.states;
  return {
    fold,
    test(subject: string) {
      const text = fold ? foldText(subject) : subject;
      const chars = Array.from(text.length > MAX_SUBJECT_LENGTH * 2 ? text.slice(0, MAX_SUBJECT_LENGTH * 2) : text, (c) => c.codePointAt(0)!).slice(0, MAX_SUBJECT_LENGTH);
      return run(states, start, chars, fold);
    },
  };
}

class Builder {
  readonly states: State[] = [];

  push(state: State): number {
    if (this.states.length >= MAX_STATES) throw new RegexSyntaxError("the pattern is too complex (too many repetitions); simplify it");
    this.states.push(state);
    return this.states.length - 1;
  }

  /** Builds `node` so that, once it has matched, the machine continues at `next`; returns its entry state. */
  build(node: RegexNode, next: number): number {
    switch (node.t) {
      case "char":
        return this.push({ kind: "char", set: node.set, out: next });
      case "assert":
        return this.push({ kind: "assert", which: node.kind, out: next });
      case "seq":
        return node.items.reduceRight((after, item) => this.build(item, after), next);
      case "alt": {
        const entries = node.options.map((option) => this.build(option, next));
        return entries.reduceRight((rest, entry) => this.push({ kind: "split", out: entry, alt: rest }));
      }
      case "repeat":
        return this.repeat(node.node, node.min, node.max, next);
    }
  }

  private repeat(body: RegexNode, min: number, max: number | null, next: number): number {
    let entry = next;
    if (max === null) {
      const loop = this.push({ kind: "split", out: -1, alt: next });
      (this.states[loop] as { out: number }).out = this.build(body, loop);
      entry = loop;
    } else {
      for (let i = min; i < max; i++) entry = this.push({ kind: "split", out: this.build(body, entry), alt: next });
    }
    for (let i = 0; i < min; i++) entry = this.build(body, entry);
    return entry;
  }
}

function run(states: State[], start: number, chars: number[], fold: boolean): boolean {
  const seen = new Int32Array(states.length).fill(-1);
  let current: number[] = [];
  let next: number[] = [];
  // States added at one position share a generation, so each is visited once per position.
  let generation = 0;

  /** Adds `state` and everything reachable from it without reading a character, at position `at`. */
  const addClosure = (list: number[], state: number, at: number): boolean => {
    const stack = [state];
    while (stack.length) {
      const index = stack.pop()!;
      if (seen[index] === generation) continue;
      seen[index] = generation;
      const s = states[index]!;
      if (s.kind === "match") return true;
      if (s.kind === "split") stack.push(s.alt, s.out);
      else if (s.kind === "assert") {
        if (assertionHolds(s.which, chars, at)) stack.push(s.out);
      } else list.push(index);
    }
    return false;
  };

  for (let at = 0; ; at++) {
    if (addClosure(current, start, at)) return true;
    if (at === chars.length) return false;
    const c = chars[at]!;
    generation++;
    next.length = 0;
    for (const index of current) {
      const s = states[index] as { set: CharSet; out: number };
      if (setMatches(s.set, c, fold) && addClosure(next, s.out, at + 1)) return true;
    }
    [current, next] = [next, current];
  }
}

const isWordChar = (c: number | undefined) =>
  c !== undefined && ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f);

function assertionHolds(which: "start" | "end" | "word_boundary" | "not_word_boundary", chars: number[], at: number): boolean {
  if (which === "start") return at === 0;
  if (which === "end") return at === chars.length;
  const boundary = isWordChar(chars[at - 1]) !== isWordChar(chars[at]);
  return which === "word_boundary" ? boundary : !boundary;
}

const WHITESPACE = new Set([0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000, 0xfeff]);
const isSpace = (c: number) => WHITESPACE.has(c) || (c >= 0x2000 && c <= 0x200a);

function itemMatches(item: ClassItem, c: number): boolean {
  if (item.kind === "range") return c >= item.from && c <= item.to;
  const hit = item.name === "d" ? c >= 0x30 && c <= 0x39 : item.name === "w" ? isWordChar(c) : isSpace(c);
  return hit !== item.negate;
}

function setMatches(set: CharSet, c: number, fold: boolean): boolean {
  let hit = set.items.some((item) => itemMatches(item, c));
  // The subject is lower-cased when folding; a range written in capitals ([A-Z]) still has to match.
  if (!hit && fold) {
    const upper = String.fromCodePoint(c).toUpperCase();
    if (Array.from(upper).length === 1) hit = set.items.some((item) => itemMatches(item, upper.codePointAt(0)!));
  }
  return hit !== set.negate;
}
