import type { HostResolver } from "../policy";

export type RecordingResolver = HostResolver & { calls: string[] };

/** A resolver that answers from a table (names in lower case), records what it was asked, and never touches real DNS. */
export function fakeResolver(table: Record<string, readonly string[]>): RecordingResolver {
  const calls: string[] = [];
  const resolve = async (hostname: string) => {
    calls.push(hostname);
    const addresses = table[hostname.toLowerCase()];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
    return addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  };
  return Object.assign(resolve, { calls });
}

/** For checks that must decide without resolving anything. */
export const mustNotResolve: HostResolver = async (hostname) => {
  throw new Error(`resolver must not be called (asked for ${hostname})`);
};
