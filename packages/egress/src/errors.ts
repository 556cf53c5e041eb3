import { SsrfBlockedError } from "./guard";

export type EgressFailureKind = "address_not_allowed" | "invalid_url" | "timeout" | "network";

/**
 * A call to a tenant-chosen URL that got no HTTP answer. `message` is safe to show tenants (no
 * host, no address); `detail` is for operators' logs.
 */
export class EgressError extends Error {
  readonly kind: EgressFailureKind;
  readonly detail: string;

  constructor(kind: EgressFailureKind, message: string, detail: string, cause?: unknown) {
    super(message, { cause });
    this.name = "EgressError";
    this.kind = kind;
    this.detail = detail;
  }
}

function causes(err: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = err;
  while (current && chain.length < 8 && !chain.includes(current)) {
    chain.push(current);
    current = (current as { cause?: unknown }).cause;
  }
  return chain;
}

/**
 * What undici, net, nodemailer's socket stage and the guard throw, as an EgressError. Socket error
 * messages name the address connected to, so only their code is kept in `message`.
 */
export function toEgressError(err: unknown, timedOut: boolean, timeoutMs: number): EgressError {
  const chain = causes(err);
  const refused = chain.find((e) => e instanceof SsrfBlockedError) as SsrfBlockedError | undefined;
  if (refused) return new EgressError(refused.address === undefined ? "invalid_url" : "address_not_allowed", refused.message, refused.reason, err);
  const coded = chain.find((e) => typeof (e as { code?: unknown })?.code === "string") as { code: string } | undefined;
  const detail = chain.map((e) => (e instanceof Error ? e.message : String(e))).join(" <- ");
  if (timedOut || coded?.code === "ETIMEDOUT" || /TIMEOUT/.test(coded?.code ?? "")) {
    return new EgressError("timeout", `no answer within ${timeoutMs} ms`, detail, err);
  }
  return new EgressError("network", coded ? `connection failed (${coded.code})` : "connection failed", detail, err);
}
