import { describe, expect, it } from "vitest";
import { ACTION_TYPES } from "../definition/actions";
import { RULE_EVENT_TYPES } from "../vocabulary";
import { flowSystemPrompt } from "./prompts";

describe("flowSystemPrompt", () => {
  const prompt = flowSystemPrompt({ entries: [{ name: "Vendas", aliases: ["sales"], user_ids: ["u1"] }] });

  it("describes every event type with its fields and every action with its schema", () => {
    for (const type of RULE_EVENT_TYPES) expect(prompt).toContain(`- ${type}: event.`);
    for (const type of ACTION_TYPES) expect(prompt).toMatch(new RegExp(`^- ${type}: \\{`, "m"));
    expect(prompt).toContain('"due_in":{"type":["string","number"]}');
  });

  it("lists the only user ids the model may use", () => {
    expect(prompt).toContain('- Vendas (also: sales): ["u1"]');
    expect(flowSystemPrompt({ entries: [] })).toContain("- (none)");
  });
});
