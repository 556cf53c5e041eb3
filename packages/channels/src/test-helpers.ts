import { readFileSync } from "node:fs";
import { AppError } from "@alfred/core";
import { expect } from "vitest";

/** Raw bytes of a fixture in `src/__fixtures__`. */
export function fixtureBytes(name: string): Buffer {
  return readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url));
}

/** A fixture parsed as JSON. */
export function fixtureJson(name: string): unknown {
  return JSON.parse(fixtureBytes(name).toString("utf8")) as unknown;
}

/** Runs `fn` (sync or async) and returns the AppError it throws; fails the test otherwise. */
export async function appErrorOf(fn: () => unknown): Promise<AppError> {
  try {
    await fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error("expected an AppError, nothing was thrown");
}
