import type { z } from "zod";

/** One thing wrong with a definition, at the JSON path an editor can highlight (`actions[1].params.title`). */
export interface Problem {
  path: string;
  message: string;
}

export type PathSegment = string | number;

/** `["actions", 1, "params", "title"]` -> `actions[1].params.title`; the root is `$`. */
export function formatPath(segments: readonly PathSegment[]): string {
  let out = "";
  for (const segment of segments) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out === "" ? segment : `.${segment}`;
  }
  return out === "" ? "$" : out;
}

/** Collects problems while a definition is checked, so one pass reports every mistake at once. */
export class Problems {
  readonly list: Problem[] = [];

  add(path: readonly PathSegment[], message: string): void {
    this.list.push({ path: formatPath(path), message });
  }

  /** Records a zod failure under `prefix`; returns the parsed data when there was none. */
  fromZod<T>(result: z.ZodSafeParseResult<T>, prefix: readonly PathSegment[]): T | undefined {
    if (result.success) return result.data;
    for (const issue of result.error.issues) {
      this.add([...prefix, ...issue.path.map((p) => (typeof p === "symbol" ? String(p) : p))], issue.message);
    }
    return undefined;
  }

  get empty(): boolean {
    return this.list.length === 0;
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
