import argon2 from "argon2";

// argon2id with the library's defaults (m=64 MiB, t=3, p=4), above OWASP's minimum. The parameters
// travel inside each hash, so raising them later keeps old hashes verifiable.
export const hashPassword = (password: string): Promise<string> => argon2.hash(password, { type: argon2.argon2id });

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;
/** Spends the same time as a real check, so unknown e-mails cannot be told apart by latency. */
export async function burnPasswordCheck(password: string): Promise<void> {
  dummyHash ??= hashPassword("alfred-timing-equaliser");
  await verifyPassword(await dummyHash, password);
}

export const PASSWORD_MIN_LENGTH = 8;
