/**
 * Loop prevention by construction. Every action a rule or flow takes carries its origin; an event
 * caused by that action is evaluated in the origin's execution context. A rule already in the chain
 * is skipped (a rule cannot re-trigger itself through its own effects, however indirect), and
 * nothing runs past MAX_CHAIN_DEPTH, so A -> B -> C -> D stops even when every rule is distinct.
 */
export const MAX_CHAIN_DEPTH = 3;

export interface ExecutionContext {
  /** The customer- or user-caused event that started the chain. */
  root_event_id: string;
  /** How many rule actions stand between the root event and the event being evaluated. */
  depth: number;
  /** Rules and flows already applied in this chain, in order. */
  chain: string[];
}

/** Stored with each action (and on the events it causes) so the next evaluation knows its chain. */
export interface ActionOrigin {
  rule_id: string;
  root_event_id: string;
  depth: number;
  chain: string[];
}

export type ChainVerdict = { run: true } | { run: false; reason: "already_applied" | "depth_limit" };

export function rootExecution(eventId: string): ExecutionContext {
  return { root_event_id: eventId, depth: 0, chain: [] };
}

/** The context for an event: its origin's chain when a rule's action caused it, else a new root. */
export function executionFor(eventId: string, origin: ActionOrigin | null | undefined): ExecutionContext {
  return origin ? { root_event_id: origin.root_event_id, depth: origin.depth, chain: [...origin.chain] } : rootExecution(eventId);
}

export function chainVerdict(ruleId: string, execution: ExecutionContext): ChainVerdict {
  if (execution.chain.includes(ruleId)) return { run: false, reason: "already_applied" };
  if (execution.depth >= MAX_CHAIN_DEPTH) return { run: false, reason: "depth_limit" };
  return { run: true };
}

export function originFor(ruleId: string, execution: ExecutionContext): ActionOrigin {
  return { rule_id: ruleId, root_event_id: execution.root_event_id, depth: execution.depth + 1, chain: [...execution.chain, ruleId] };
}
