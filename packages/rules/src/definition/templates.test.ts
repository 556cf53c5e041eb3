import { describe, expect, it } from "vitest";
import { renderTemplate, templateVariables } from "./templates";

const values: Record<string, unknown> = { "contact.name": "Ana", "contact.lead_score": 40, "conversation.labels": ["vip", "pt"], "contact.email": null, "contact.phone": "" };
const read = (path: string) => values[path];

describe("templates", () => {
  it.each([
    ["Olá {{contact.name}}!", "Olá Ana!"],
    ["Olá {{ contact.name }}!", "Olá Ana!"],
    ["Score {{contact.lead_score}}", "Score 40"],
    ["Labels: {{conversation.labels}}", "Labels: vip, pt"],
    ["Hi {{contact.email | there}}", "Hi there"],
    ["Hi {{contact.phone|there}}", "Hi there"],
    ["Hi {{contact.email}}.", "Hi ."],
    ["No variables", "No variables"],
  ])("%s -> %s", (template, expected) => {
    expect(renderTemplate(template, read)).toBe(expected);
  });

  it("lists the variables with their fallbacks", () => {
    expect(templateVariables("{{contact.name | cliente}} / {{message.body}}")).toEqual([
      { path: "contact.name", fallback: "cliente" },
      { path: "message.body", fallback: null },
    ]);
  });

  it("does not evaluate anything but paths", () => {
    expect(renderTemplate("{{constructor}} {{__proto__}} {{contact.name.constructor}}", read)).toBe("  ");
  });
});
