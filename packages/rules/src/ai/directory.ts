import type { FlowPlan } from "../definition/flow";
import { formatPath, type PathSegment, type Problem } from "../definition/problems";
import { words } from "./local/text";
import type { AssigneeDirectory } from "./provider";

/** Words around a name that do not change who is meant: "the sales team" is "sales", "a equipe de vendas" is "vendas". */
const FILLER = new Set([
  "the", "a", "an", "our", "team", "group", "agents", "agent", "people", "department", "to",
  "o", "os", "as", "ao", "aos", "de", "do", "da", "dos", "das", "equipe", "time", "grupo", "agentes", "agente", "setor", "pessoal", "nosso", "nossa", "nossos", "para", "pra",
]);

const key = (text: string) => words(text).filter((word) => !FILLER.has(word)).join(" ");

export interface ResolvedAssignee {
  name: string;
  user_ids: string[];
}

/**
 * Finds who a phrase names: an entry's name or alias, ignoring case, accents and filler words; or
 * a first name that only one entry starts with ("Bruno" for "Bruno Costa").
 */
export function resolveAssignee(directory: AssigneeDirectory, phrase: string): ResolvedAssignee | null {
  const wanted = key(phrase);
  if (!wanted) return null;
  const exact = directory.entries.find((entry) => [entry.name, ...(entry.aliases ?? [])].some((name) => key(name) === wanted));
  if (exact) return { name: exact.name, user_ids: exact.user_ids };
  const byFirstName = directory.entries.filter((entry) => key(entry.name).split(" ")[0] === wanted);
  return byFirstName.length === 1 ? { name: byFirstName[0]!.name, user_ids: byFirstName[0]!.user_ids } : null;
}

/** Every user id the directory knows: a model's answer may use no other. */
export function directoryUserIds(directory: AssigneeDirectory): Set<string> {
  return new Set(directory.entries.flatMap((entry) => entry.user_ids.map((id) => id.toLowerCase())));
}

/**
 * User ids a flow names that the directory does not know, each at its JSON path: a model's flow
 * must not assign or notify someone outside the tenant, or someone it made up.
 */
export function usersOutsideDirectory(plan: FlowPlan, directory: AssigneeDirectory): Problem[] {
  const known = directoryUserIds(directory);
  const problems: Problem[] = [];
  plan.steps.forEach((step, i) =>
    step.actions.forEach((action, j) => {
      const at = (...rest: PathSegment[]) => formatPath(["steps", i, "actions", j, "params", ...rest]);
      const check = (id: string, path: string) => {
        if (!known.has(id.toLowerCase())) problems.push({ path, message: `user ${id} is not in this workspace's directory` });
      };
      if (action.type === "assign_agent") check(action.params.user_id, at("user_id"));
      if (action.type === "assign_round_robin" && Array.isArray(action.params.among)) action.params.among.forEach((id, k) => check(id, at("among", k)));
      if (action.type === "create_task" && typeof action.params.assignee === "object") check(action.params.assignee.user_id, at("assignee", "user_id"));
      if (action.type === "notify_users" && "user_ids" in action.params.to) action.params.to.user_ids.forEach((id, k) => check(id, at("to", "user_ids", k)));
    }),
  );
  return problems;
}
