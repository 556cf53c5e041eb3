import argon2 from "argon2";
import { INTERNAL_REQUESTER, passwordWork } from "./password-work";

// argon2id with the library's defaults (m=64 MiB, t=3, p=4), above OWASP's minimum. The parameters
// travel inside each hash, so raising them later keeps old hashes verifiable.
export const hashPassword = (password: string, requester = INTERNAL_REQUESTER): Promise<string> => passwordWork.run(requester, () => argon2.hash(password, { type: argon2.argon2id }));

export function verifyPassword(hash: string, password: string, requester = INTERNAL_REQUESTER): Promise<boolean> {
  return passwordWork.run(requester, async () => {
    try {
      return await argon2.verify(hash, password);
    } catch {
      return false;
    }
  });
}

/**
 * A hash of a throw-away password with the same parameters as `hashPassword` (a unit test keeps
 * them equal). Verifying against it costs what a real check costs, from the very first attempt.
 */
export const TIMING_EQUALISER_HASH = "$argon2id$v=19$m=65536,t=3,p=4$M/skCwvrBcTtQvaxAG0t4Q$NYHf2dQvatG6QNfECqLS6MDMAgL33Q98j6tiIDwBziE";

/** Spends the same time as a real check, so unknown e-mails cannot be told apart by latency. */
export async function burnPasswordCheck(password: string, requester = INTERNAL_REQUESTER): Promise<void> {
  await verifyPassword(TIMING_EQUALISER_HASH, password, requester);
}

export const PASSWORD_MIN_LENGTH = 8;
