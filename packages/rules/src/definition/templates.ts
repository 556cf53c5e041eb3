import type { RuleEventType } from "../vocabulary";
import { lookupField } from "./fields";
import { type Problems, type PathSegment } from "./problems";

/**
 * Text with variables, as admins write it in messages, task titles and notifications:
 * `Olá {{contact.name | cliente}}, recebemos a sua mensagem`. A variable is any readable path of
 * the event type; after `|` comes the text used when the value is missing.
 */
const TAG = /\{\{\s*([^{}|]*?)\s*(?:\|\s*([^{}]*?)\s*)?\}\}/g;

export interface TemplateVariable {
  path: string;
  fallback: string | null;
}

export function templateVariables(template: string): TemplateVariable[] {
  return [...template.matchAll(TAG)].map((m) => ({ path: m[1]!, fallback: m[2] ?? null }));
}

/** Checks every variable against the fields of `eventType` (skipped when the trigger is itself invalid). */
export function checkTemplate(template: string, eventType: RuleEventType | null, problems: Problems, path: readonly PathSegment[]): void {
  const leftover = template.replace(TAG, "");
  if (leftover.includes("{{") || leftover.includes("}}")) {
    problems.add(path, 'a variable is not closed: write it as {{contact.name}} or {{contact.name | fallback}}');
  }
  for (const variable of templateVariables(template)) {
    if (variable.path === "") problems.add(path, "a variable has no name: write it as {{contact.name}}");
    else if (eventType) {
      const field = lookupField(eventType, variable.path);
      if (!field.ok) problems.add(path, `{{${variable.path}}}: ${field.message}`);
    }
  }
}

/** Fills the variables from `read`; a missing value becomes the fallback, or nothing. */
export function renderTemplate(template: string, read: (path: string) => unknown): string {
  return template.replace(TAG, (_tag, path: string, fallback: string | undefined) => {
    const text = displayValue(read(path));
    return text === "" ? (fallback ?? "") : text;
  });
}

export function displayValue(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return value.map(displayValue).filter(Boolean).join(", ");
  return "";
}
