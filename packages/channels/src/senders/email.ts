import { randomUUID } from "node:crypto";
import { boundedSnippet, SsrfBlockedError, toEgressError } from "@alfred/egress";
import { normalizeMessageId, parseAddress, parseMessageIdList } from "../email/address";
import { ProviderSendError, requireString } from "./errors";
import { DEFAULT_SEND_TIMEOUT_MS, providerErrorFromEgress } from "./http";
import type { SendRequest, SendResult } from "./types";

export interface EmailSendConfig {
  inbound_address?: string;
  /** Defaults to `inbound_address`, so replies come back to the channel. */
  from_address?: string;
  /** Accepted here too, but it usually holds credentials and belongs in the secrets. */
  smtp_url?: string;
}
export interface EmailSendSecrets {
  /** `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://user:pass@host:465`. */
  smtp_url?: string;
}

/** `Re: <subject>`, without stacking prefixes (`Re: Re: x` stays `Re: x`; `RE:`/`Aw:` are kept as-is once). */
export function replySubject(subject: string | undefined): string {
  const s = (subject ?? "").replace(/[\r\n]+/g, " ").trim();
  if (s === "") return "Re: (no subject)";
  return /^(re|aw|sv|antw)\s*:/i.test(s) ? s : `Re: ${s}`;
}

/** Socket-level failures: their messages name the address connected to, so only the code is kept. */
const SOCKET_CODES = new Set(["ECONNECTION", "ESOCKET", "ECONNREFUSED", "ECONNRESET", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN"]);

/** How nodemailer reports a failed handshake or certificate check (as ESOCKET, like any socket error). */
const TLS_FAILURE = /certificate|altnames|self[- ]signed|\bssl\b|\btls\b/i;

function smtpError(err: unknown, timeoutMs: number): ProviderSendError {
  const e = (err ?? {}) as { code?: string; responseCode?: number; response?: string; message?: string };
  if (e.code === "ESOCKET" && TLS_FAILURE.test(e.message ?? "")) {
    // A certificate that does not match the URL's host will not match on a retry either.
    return new ProviderSendError(`SMTP: TLS failed: ${boundedSnippet(e.message ?? "")}`, { retryable: false, kind: "provider", providerCode: e.code, cause: err });
  }
  if (err instanceof SsrfBlockedError || e.code === "ETIMEDOUT" || (e.code !== undefined && SOCKET_CODES.has(e.code))) {
    // The guard refused, or the socket failed: said without the address (socket messages carry it).
    return providerErrorFromEgress(toEgressError(err, false, timeoutMs), "SMTP");
  }
  // What the server said (a tenant's server says what it likes): bounded and storable.
  const detail = boundedSnippet(e.response ?? e.message ?? String(err));
  const reply = typeof e.responseCode === "number" ? e.responseCode : undefined;
  if (e.code === "EAUTH") {
    return new ProviderSendError(`SMTP authentication failed: ${detail}`, { retryable: false, kind: "auth", status: reply, providerCode: e.code, cause: err });
  }
  if (reply !== undefined) {
    // 4xx replies are transient by definition (greylisting, mailbox busy); 5xx are permanent.
    const retryable = reply >= 400 && reply < 500;
    return new ProviderSendError(`SMTP server answered ${reply}: ${detail}`, { retryable, kind: "provider", status: reply, providerCode: e.code, cause: err });
  }
  return new ProviderSendError(`SMTP: ${detail}`, { retryable: false, kind: "provider", providerCode: e.code, cause: err });
}

/**
 * Sends a plain-text reply over SMTP with nodemailer. Threading: `In-Reply-To: <inReplyTo>` and
 * `References: <refs...> <inReplyTo>`, subject `Re: <subject>`. Alfred generates the Message-Id
 * (`<uuid@from-domain>`) and returns it WITHOUT brackets, like inbound ids, so a customer's reply
 * (In-Reply-To) finds the conversation.
 */
export async function sendEmail(req: SendRequest<EmailSendConfig, EmailSendSecrets>): Promise<SendResult> {
  const smtpUrl = requireString(req.secrets.smtp_url ?? req.config.smtp_url, "smtp_url (this e-mail channel cannot send)", "E-mail");
  const from = parseAddress(req.config.from_address ?? req.config.inbound_address);
  if (!from) throw new ProviderSendError("E-mail: channel config has no valid from_address or inbound_address", { retryable: false, kind: "config" });
  const to = parseAddress(req.to);
  if (!to) throw new ProviderSendError(`E-mail: invalid recipient address ${JSON.stringify(req.to)}`, { retryable: false, kind: "config" });

  const timeoutMs = req.timeoutMs ?? DEFAULT_SEND_TIMEOUT_MS;
  const domain = from.address.split("@")[1] ?? "alfred.invalid";
  const messageId = `${randomUUID()}@${domain}`;
  const inReplyTo = normalizeMessageId(req.threading?.inReplyTo ?? null);
  const references = parseMessageIdList((req.threading?.references ?? []).map((r) => `<${normalizeMessageId(r) ?? r}>`).join(" "));
  if (inReplyTo && !references.includes(inReplyTo)) references.push(inReplyTo);

  let transport: ReturnType<typeof req.egress.smtpTransport>;
  try {
    transport = req.egress.smtpTransport(smtpUrl, { timeoutMs, clientName: domain });
  } catch (cause) {
    throw smtpError(cause, timeoutMs);
  }
  try {
    const info = await transport.sendMail({
      from: from.name ? { name: from.name, address: from.address } : from.address,
      to: to.address,
      subject: req.threading ? replySubject(req.threading.subject) : "Message",
      text: req.body,
      messageId: `<${messageId}>`,
      ...(inReplyTo ? { inReplyTo: `<${inReplyTo}>` } : {}),
      ...(references.length ? { references: references.map((r) => `<${r}>`) } : {}),
    });
    return { externalId: normalizeMessageId(info.messageId) ?? messageId };
  } catch (err) {
    throw smtpError(err, timeoutMs);
  } finally {
    transport.close();
  }
}
