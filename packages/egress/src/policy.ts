import { promises as dns } from "node:dns";
import type { SsrfAllowlist } from "./allowlist";

export interface ResolvedAddress {
  address: string;
  family?: number;
}

/** Resolves a hostname to every address it has; injectable so tests never touch real DNS. */
export type HostResolver = (hostname: string) => Promise<readonly ResolvedAddress[]>;

/** The system resolver (getaddrinfo, so /etc/hosts counts), every address, in resolver order. */
export const systemResolver: HostResolver = (hostname) => dns.lookup(hostname, { all: true, verbatim: true });

/**
 * What the guard needs, at save time and at send time alike: the allow-list of this process and,
 * in tests, a resolver that makes a name answer 127.0.0.1 without real DNS.
 */
export interface EgressPolicy {
  ssrfAllowlist: SsrfAllowlist;
  /** Absent means the system resolver. */
  resolve?: HostResolver;
}
