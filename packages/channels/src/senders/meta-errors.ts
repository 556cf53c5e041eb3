import { boundedSnippet } from "@alfred/egress";
import { ProviderSendError, type SendFailureKind } from "./errors";

/** Meta Graph API error body: `{error: {message, type, code, error_subcode, error_data, fbtrace_id}}`. */
interface MetaErrorBody {
  message?: string;
  type?: string;
  code?: number;
  error_subcode?: number;
  error_user_msg?: string;
  error_data?: { details?: string } | string;
  fbtrace_id?: string;
}

/** WhatsApp: re-engagement message, more than 24 h since the customer last wrote. */
export const WHATSAPP_WINDOW_CODE = 131047;
/** Messenger (code 10) / Instagram (code 10) subcodes for "outside the allowed messaging window". */
const WINDOW_SUBCODES = new Set([2018278, 2534022]);
/** Throttling: app/user/page rate limits, WABA and Cloud API throughput, pair rate limit. */
const RATE_LIMIT_CODES = new Set([4, 17, 32, 613, 80004, 80006, 80007, 130429, 131048, 131056]);
/** Transient server-side errors Meta documents as "retry later". */
const TRANSIENT_CODES = new Set([1, 2, 131000, 131016, 133004]);
/** Token invalid/expired (190, 102) and missing permissions (10, 200-299). */
const AUTH_CODES = new Set([10, 102, 190]);

export const WINDOW_MESSAGES = {
  whatsapp:
    "WhatsApp only allows free-form messages within 24 hours of the customer's last message; outside that customer service window only an approved template can be sent.",
  messenger: "Messenger only allows standard replies within 24 hours of the person's last message (outside the messaging window).",
  instagram: "Instagram only allows replies within 24 hours of the customer's last message (outside the messaging window).",
} as const;

function readError(json: unknown): MetaErrorBody | undefined {
  if (typeof json !== "object" || json === null) return undefined;
  const e = (json as { error?: unknown }).error;
  return typeof e === "object" && e !== null ? (e as MetaErrorBody) : undefined;
}

/** Maps a non-2xx Graph API answer to a `ProviderSendError`. */
export function metaSendError(product: "whatsapp" | "messenger" | "instagram", status: number, json: unknown, text: string): ProviderSendError {
  const label = product === "whatsapp" ? "WhatsApp" : product === "messenger" ? "Messenger" : "Instagram";
  const e = readError(json);
  const code = typeof e?.code === "number" ? e.code : undefined;
  const subcode = typeof e?.error_subcode === "number" ? e.error_subcode : undefined;
  const rawDetails = typeof e?.error_data === "string" ? e.error_data : e?.error_data?.details;
  const details = typeof rawDetails === "string" ? boundedSnippet(rawDetails) : undefined;
  const common = { status, providerCode: code, providerSubcode: subcode, traceId: e?.fbtrace_id };

  if ((product === "whatsapp" && code === WHATSAPP_WINDOW_CODE) || (code === 10 && subcode !== undefined && WINDOW_SUBCODES.has(subcode))) {
    return new ProviderSendError(WINDOW_MESSAGES[product], { ...common, retryable: false, kind: "window_closed" });
  }

  let kind: SendFailureKind = "provider";
  let retryable = false;
  if (status === 429 || (code !== undefined && RATE_LIMIT_CODES.has(code))) {
    kind = "rate_limited";
    retryable = true;
  } else if (status >= 500 || (code !== undefined && TRANSIENT_CODES.has(code))) {
    retryable = true;
  } else if (status === 401 || status === 403 || (code !== undefined && (AUTH_CODES.has(code) || (code >= 200 && code <= 299)))) {
    kind = "auth";
  }
  // Whatever the provider (or whoever answers at a tenant's api_base_url) says is bounded and storable.
  const what = boundedSnippet(typeof e?.error_user_msg === "string" ? e.error_user_msg : typeof e?.message === "string" ? e.message : text) || `HTTP ${status}`;
  const codes = code !== undefined ? ` (code ${code}${subcode !== undefined ? `/${subcode}` : ""})` : "";
  const message = `${label} API error${codes}, HTTP ${status}: ${what}${details && details !== what ? ` - ${details}` : ""}`;
  return new ProviderSendError(message, { ...common, retryable, kind });
}
