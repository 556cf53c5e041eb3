import nodemailer, { type Transporter } from "nodemailer";
import type SMTPTransport from "nodemailer/lib/smtp-transport";
import { parseHostLiteral } from "./address";
import { assertUrlAllowedAtSend, connectGuarded } from "./guard";
import type { EgressPolicy } from "./policy";
import { effectivePort } from "./tenant-url";

export interface GuardedSmtpOptions {
  /** Connect, greeting and socket-idle timeout. */
  timeoutMs: number;
  /** The name this client gives in EHLO (the sender's domain), instead of the worker's hostname. */
  clientName?: string;
  /** Extra trust anchors for the server's certificate (a private CA); the system's otherwise. */
  ca?: string | Buffer;
}

/**
 * A nodemailer transport for a tenant's `smtp://` / `smtps://` URL whose every connection is a
 * socket this package opened to a checked address: `getSocket` hands nodemailer the connected
 * socket, so nodemailer never resolves or connects by itself. TLS (smtps, or STARTTLS when the
 * server offers it) is then negotiated by nodemailer on that socket with `host` and SNI set to the
 * name in the URL, so the certificate is verified against the name the tenant chose, not the IP.
 * Only scheme, credentials, host and port are read from the URL (no `?options`: a proxy there would
 * be a way around the guard).
 */
export function createGuardedSmtpTransport(input: string, policy: EgressPolicy, options: GuardedSmtpOptions): Transporter<SMTPTransport.SentMessageInfo> {
  const url = assertUrlAllowedAtSend(input, policy.ssrfAllowlist, "smtp");
  const host = parseHostLiteral(url.hostname) ?? url.hostname;
  const port = effectivePort(url);
  const transport: SMTPTransport.Options = {
    host,
    port,
    secure: url.protocol === "smtps:",
    auth: url.username !== "" ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
    name: options.clientName,
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: options.timeoutMs,
    tls: options.ca ? { ca: options.ca } : undefined,
    getSocket: (_options, callback) => {
      connectGuarded(host, port, policy, options.timeoutMs).then(
        (connection) => callback(null, { connection }),
        (error: Error) => callback(error, false),
      );
    },
  };
  return nodemailer.createTransport(transport);
}
