import { AppError } from "@alfred/core";
import { parseHostLiteral } from "./address";
import { checkConnection, EMPTY_ALLOWLIST, HOSTNAME, isExemptByAllowlist, normaliseHostname } from "./allowlist";
import { systemResolver, type EgressPolicy, type ResolvedAddress } from "./policy";

/**
 * The URLs a tenant chooses, and the rules each kind follows before the guard looks at its host:
 * - `http`: webhook destinations, Graph API base URLs, API channel send URLs. http or https, no
 *   credentials in the URL (requests are authenticated by signature or token).
 * - `smtp`: an e-mail channel's server. smtp (STARTTLS when offered) or smtps, credentials allowed
 *   (that is how the URL carries them), no `?options` (nodemailer would read a proxy from them).
 */
export type TenantUrlKind = "http" | "smtp";

const PROTOCOLS: Record<TenantUrlKind, readonly string[]> = { http: ["http:", "https:"], smtp: ["smtp:", "smtps:"] };
const DEFAULT_PORTS: Record<string, number> = { "http:": 80, "https:": 443, "smtp:": 587, "smtps:": 465 };

export const MAX_URL_LENGTH = 2048;

/** The port a connection to `url` goes to (nodemailer's defaults for SMTP). */
export function effectivePort(url: URL): number {
  return url.port !== "" ? Number(url.port) : (DEFAULT_PORTS[url.protocol] ?? 0);
}

/** RFC 6761: `localhost` and `*.localhost` are loopback whatever a resolver says. */
function isLocalhostName(hostname: string): boolean {
  const h = normaliseHostname(hostname);
  return h === "localhost" || h.endsWith(".localhost");
}

/**
 * Parses and checks scheme, credentials and host: the rules shared by save and send time. The
 * messages name `label`, never the URL itself (an SMTP URL carries a password).
 */
export function parseTenantUrl(input: string | URL, kind: TenantUrlKind, fail: (message: string) => Error, label = "URL"): URL {
  let url: URL;
  try {
    url = new URL(String(input));
  } catch {
    throw fail(`${label} is not a valid absolute URL`);
  }
  const allowed = PROTOCOLS[kind];
  if (!allowed.includes(url.protocol)) {
    const names = allowed.map((p) => p.replace(/:$/, "")).join(" or ");
    throw fail(`${label} must use ${names}, not ${url.protocol.replace(/:$/, "")}`);
  }
  if (kind === "http" && (url.username !== "" || url.password !== "")) {
    throw fail(`${label} must not contain a username or password; requests are authenticated by signature or token`);
  }
  if (url.hostname === "") throw fail(`${label} must include a host`);
  if (kind === "smtp") {
    // smtp: is not a "special" scheme: its host is kept as written (no IPv4 normalising, no
    // percent-decoding), so it must be a plain name or an IP literal the guard can read.
    if (parseHostLiteral(url.hostname) === null && !HOSTNAME.test(url.hostname.toLowerCase())) throw fail(`${label} has an invalid host`);
    if (url.search !== "") throw fail(`${label} must not carry ?options`);
  }
  return url;
}

export interface TenantUrlRules {
  kind: TenantUrlKind;
  /** The field the 422 names: `url`, `config.api_base_url`, `config.smtp_url`. */
  path: string;
  /** How messages refer to the value; `URL` unless the path reads better. */
  label?: string;
}

/**
 * Save-time check of a tenant-chosen URL. Resolves names and requires EVERY address to be allowed:
 * one private answer among public ones is how DNS rebinding starts. Returns the parsed URL; throws
 * AppError('validation_error', <reason>, {path}).
 */
export async function validateTenantUrl(input: string, rules: TenantUrlRules, policy: Partial<EgressPolicy> = {}): Promise<URL> {
  const { ssrfAllowlist: allowlist = EMPTY_ALLOWLIST, resolve = systemResolver } = policy;
  const label = rules.label ?? "URL";
  const problem = (message: string) => new AppError("validation_error", message, { path: rules.path });
  if (input.length > MAX_URL_LENGTH) throw problem(`${label} must be at most ${MAX_URL_LENGTH} characters`);
  const url = parseTenantUrl(input, rules.kind, problem, label);
  const port = effectivePort(url);
  const literal = parseHostLiteral(url.hostname);

  if (literal !== null) {
    const verdict = checkConnection(literal, port, allowlist);
    if (!verdict.allowed) throw problem(`${label} points to ${literal}, which is not allowed: ${verdict.reason}`);
    return url;
  }

  const hostname = url.hostname;
  if (isExemptByAllowlist(allowlist, hostname, port)) return url;
  if (isLocalhostName(hostname)) throw problem(`${label} host "${hostname}" is not allowed: loopback`);

  let addresses: readonly ResolvedAddress[];
  try {
    addresses = await resolve(hostname);
  } catch {
    throw problem(`${label} host "${hostname}" could not be resolved`);
  }
  if (addresses.length === 0) throw problem(`${label} host "${hostname}" could not be resolved`);
  for (const { address } of addresses) {
    const verdict = checkConnection(address, port, allowlist, hostname);
    if (!verdict.allowed) throw problem(`${label} host "${hostname}" resolves to ${address}, which is not allowed: ${verdict.reason}`);
  }
  return url;
}
