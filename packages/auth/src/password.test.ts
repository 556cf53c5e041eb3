import { describe, expect, it } from "vitest";
import { burnPasswordCheck, hashPassword, TIMING_EQUALISER_HASH, verifyPassword } from "./password";

const parameters = (hash: string) => hash.split("$").slice(1, 4).join("$");

// Real argon2id work (64 MiB, t=3): slow on a busy machine, so generous timeouts.
describe("passwords", { timeout: 60_000 }, () => {
  it("the timing equaliser is hashed with the very parameters of a real hash, so it costs the same", async () => {
    const real = await hashPassword("correct horse battery");
    expect(parameters(TIMING_EQUALISER_HASH)).toBe(parameters(real));
    expect(parameters(real)).toBe("argon2id$v=19$m=65536,t=3,p=4");
  });

  it("verifies the right password only, and a broken hash is a plain no", async () => {
    const hash = await hashPassword("correct horse battery");
    expect(await verifyPassword(hash, "correct horse battery")).toBe(true);
    expect(await verifyPassword(hash, "wrong")).toBe(false);
    expect(await verifyPassword("not a hash", "anything")).toBe(false);
    await expect(burnPasswordCheck("anything")).resolves.toBeUndefined();
  });
});
