import type { LookupAddress, LookupOptions } from "node:dns";
import { connect as netConnect, type LookupFunction, type Socket } from "node:net";
import { Agent, buildConnector, type Dispatcher } from "undici";
import { canonical, parseAddress, parseHostLiteral } from "./address";
import { checkConnection, EMPTY_ALLOWLIST, type SsrfAllowlist } from "./allowlist";
import { systemResolver, type EgressPolicy, type HostResolver } from "./policy";
import { effectivePort, parseTenantUrl, type TenantUrlKind } from "./tenant-url";

/**
 * Send time: the address checked is the address connected to. DNS can change between save and
 * send (rebinding), so every connection resolves through a lookup that checks each answer and
 * hands the socket only the addresses it approved. Node skips `lookup` for IP literals, so those
 * are checked before connecting.
 */

/** All a tenant (or an agent reading a failed message) is told about a refused connection. */
export const ADDRESS_NOT_ALLOWED = "address not allowed";

/**
 * A send-time refusal. `message` is safe to store where tenants read it: "address not allowed" for
 * a refused address, or the URL rule broken (which names no host). `reason` names the address and
 * the rule, for operators' logs.
 */
export class SsrfBlockedError extends Error {
  readonly code = "ssrf_blocked";
  readonly reason: string;
  readonly address: string | undefined;

  constructor(reason: string, address?: string) {
    super(address === undefined ? reason : ADDRESS_NOT_ALLOWED);
    this.name = "SsrfBlockedError";
    this.reason = reason;
    this.address = address;
  }
}

/** The refusal for connecting to an IP literal (canonical form) on `port`, or null when allowed. */
function literalRefusal(literal: string, port: number, allowlist: SsrfAllowlist): SsrfBlockedError | null {
  const verdict = checkConnection(literal, port, allowlist);
  return verdict.allowed ? null : new SsrfBlockedError(`refusing to connect to ${literal}: ${verdict.reason}`, literal);
}

/**
 * Send-time check for what the connection lookup never sees: scheme, credentials, and hosts that
 * are IP literals (Node connects to those without calling `lookup`). Names are checked by the
 * guarded lookup when the connection resolves them.
 */
export function assertUrlAllowedAtSend(input: string | URL, allowlist: SsrfAllowlist = EMPTY_ALLOWLIST, kind: TenantUrlKind = "http"): URL {
  const url = parseTenantUrl(input, kind, (message) => new SsrfBlockedError(message));
  const literal = parseHostLiteral(url.hostname);
  const refusal = literal === null ? null : literalRefusal(literal, effectivePort(url), allowlist);
  if (refusal) throw refusal;
  return url;
}

function wantedFamily(family: LookupOptions["family"]): 4 | 6 | 0 {
  if (family === 4 || family === "IPv4") return 4;
  if (family === 6 || family === "IPv6") return 6;
  return 0;
}

export interface GuardedLookupOptions {
  allowlist: SsrfAllowlist;
  resolve?: HostResolver;
  /** The port being connected to; Node's lookup is not told, and `host:port` entries need it. */
  port: number;
}

/**
 * A `net.connect` lookup that resolves, checks every address, and hands the socket only checked
 * addresses (canonical literals, so nothing is resolved again after the check).
 */
export function createGuardedLookup({ allowlist, resolve = systemResolver, port }: GuardedLookupOptions): LookupFunction {
  async function checkedAddresses(hostname: string, family: 4 | 6 | 0): Promise<LookupAddress[]> {
    const resolved = await resolve(hostname);
    const approved: LookupAddress[] = [];
    for (const { address } of resolved) {
      const verdict = checkConnection(address, port, allowlist, hostname);
      if (!verdict.allowed) {
        throw new SsrfBlockedError(`refusing to connect to ${hostname} (${address}): ${verdict.reason}`, address);
      }
      const literal = parseAddress(address);
      if (literal !== null) approved.push({ address: canonical(literal), family: literal.kind() === "ipv4" ? 4 : 6 });
    }
    const usable = approved.filter((a) => family === 0 || a.family === family);
    if (usable.length === 0) {
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND", hostname });
    }
    return usable;
  }

  return (hostname, options, callback) => {
    // The callback runs outside the promise chain so an exception in it cannot trigger a second call.
    checkedAddresses(hostname, wantedFamily(options.family)).then(
      (addresses) =>
        process.nextTick(() => {
          const first = addresses[0] as LookupAddress;
          if (options.all) callback(null, addresses);
          else callback(null, first.address, first.family);
        }),
      (error: NodeJS.ErrnoException) => process.nextTick(() => callback(error, "", 0)),
    );
  };
}

export interface GuardedDispatcherOptions {
  allowlist: SsrfAllowlist;
  /** Injectable resolver (tests make a name resolve to 127.0.0.1); defaults to the system one. */
  lookup?: HostResolver;
  /** Connect, response-headers and body-idle timeout of one attempt. */
  timeoutMs: number;
}

declare const guarded: unique symbol;
/** An undici dispatcher built by `createGuardedDispatcher`: the only kind `guardedRequest` takes. */
export type GuardedDispatcher = Agent & { readonly [guarded]: true };
// eslint-disable-next-line @typescript-eslint/no-namespace -- undici's response type, reached through the guarded dispatcher's name
export declare namespace GuardedDispatcher {
  type ResponseData = Dispatcher.ResponseData<unknown>;
}

/**
 * The undici Agent every HTTP call to a tenant-chosen URL is sent with. Every connection goes
 * through a guarded lookup (built per port, because `host:port` allow-list entries depend on it)
 * and IP-literal hosts are classified before connecting. undici 7 never follows redirects unless a redirect interceptor is
 * composed in, and none is: a 3xx is a failed attempt, not a way around this guard.
 */
export function createGuardedDispatcher({ allowlist, lookup, timeoutMs }: GuardedDispatcherOptions): GuardedDispatcher {
  const connectorsByPort = new Map<number, buildConnector.connector>();
  const connectorFor = (port: number): buildConnector.connector => {
    let connector = connectorsByPort.get(port);
    if (!connector) {
      connector = buildConnector({ timeout: timeoutMs, lookup: createGuardedLookup({ allowlist, resolve: lookup, port }) });
      connectorsByPort.set(port, connector);
    }
    return connector;
  };

  const connect: buildConnector.connector = (options, callback) => {
    const port = options.port ? Number(options.port) : options.protocol === "https:" ? 443 : 80;
    const literal = parseHostLiteral(options.hostname);
    const refusal = literal === null ? null : literalRefusal(literal, port, allowlist);
    if (refusal) process.nextTick(() => callback(refusal, null));
    else connectorFor(port)(options, callback);
  };

  return new Agent({ connect, headersTimeout: timeoutMs, bodyTimeout: timeoutMs }) as GuardedDispatcher;
}

/**
 * A TCP connection to `host:port` through the guard (for protocols undici does not speak: SMTP).
 * An IP literal in any spelling is checked and connected to in its canonical form; a name is
 * resolved by the guarded lookup, so the socket only ever reaches an address that was checked.
 */
export function connectGuarded(host: string, port: number, policy: EgressPolicy, timeoutMs: number): Promise<Socket> {
  const literal = parseHostLiteral(host);
  const refusal = literal === null ? null : literalRefusal(literal, port, policy.ssrfAllowlist);
  if (refusal) return Promise.reject(refusal);
  const socket =
    literal !== null
      ? netConnect({ host: literal, port })
      : netConnect({ host, port, lookup: createGuardedLookup({ allowlist: policy.ssrfAllowlist, resolve: policy.resolve, port }) });
  return new Promise<Socket>((resolve, reject) => {
    const fail = (error: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    };
    const timer = setTimeout(() => fail(Object.assign(new Error(`connect to port ${port} timed out`), { code: "ETIMEDOUT" })), timeoutMs);
    socket.once("error", fail);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.off("error", fail);
      resolve(socket);
    });
  });
}
