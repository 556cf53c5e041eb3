import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * A local fake of Meta's Graph API messaging endpoints, speaking the real protocol closely enough for
 * sender tests (here and in crm/e2e): bearer (or `access_token=`) auth per phone number / page /
 * Instagram account, JSON body checks, and Graph-shaped success and error bodies. Test helper: not
 * used by production code.
 *
 * - `POST /{version}/{phone_number_id}/messages` (WhatsApp Cloud API)
 * - `POST /{version}/me/messages` (Messenger Send API, page chosen by the token)
 * - `POST /{version}/{instagram_account_id}/messages` (Instagram messaging)
 */

export interface FakeGraphApiOptions {
  /** Path prefix; default `v21.0`. */
  version?: string;
  /** phone_number_id -> access token. */
  whatsapp?: Record<string, string>;
  /** page id -> page access token. */
  messenger?: Record<string, string>;
  /** Instagram account id -> access token. */
  instagram?: Record<string, string>;
  /** Port on 127.0.0.1; default any free one. A fixed one can be named on EGRESS_ALLOWLIST ahead of time (e2e). */
  port?: number;
}

export interface FakeGraphRequest {
  method: string;
  path: string;
  headers: IncomingMessage["headers"];
  rawBody: string;
  body: unknown;
}

export interface FakeGraphSent {
  product: "whatsapp" | "messenger" | "instagram";
  accountId: string;
  to: string;
  text: string;
  id: string;
}

/** A canned answer for the next request: a status and JSON body, or `hang` (never answer). */
export type FakeGraphReply = { status: number; body: unknown } | "hang";

export interface FakeGraphApi {
  /** e.g. `http://127.0.0.1:40123/v21.0`: use as `api_base_url`. */
  baseUrl: string;
  requests: FakeGraphRequest[];
  /** Messages accepted (2xx answered by the fake's own logic). */
  sent: FakeGraphSent[];
  /** Answer the next request with this instead of the normal logic (auth is still checked first). */
  enqueue(reply: FakeGraphReply): void;
  /** WhatsApp recipients whose 24-hour window is closed: sends to them fail with error 131047. */
  closedWindows: Set<string>;
  /**
   * A file customers sent: WhatsApp's `GET /{media-id}` (with a WhatsApp number's token) answers its
   * download URL, which serves the bytes to the same token; `cdnUrl` serves them without a token, as
   * Messenger/Instagram attachment URLs do. `servedType` overrides the Content-Type of the bytes.
   */
  addMedia(id: string, media: { bytes: Buffer; mimeType: string; servedType?: string }): { cdnUrl: string };
  /** Tokens Meta reports as expired (error 190, subcode 463). */
  expiredTokens: Set<string>;
  close(): Promise<void>;
}

const trace = () => randomBytes(8).toString("base64url");

export function graphError(status: number, code: number, message: string, extra: Record<string, unknown> = {}): { status: number; body: unknown } {
  return { status, body: { error: { message, type: "OAuthException", code, ...extra, fbtrace_id: trace() } } };
}

/** The error Meta returns for a free-form WhatsApp message outside the customer service window. */
export function whatsAppWindowError(): { status: number; body: unknown } {
  return graphError(400, 131047, "(#131047) Re-engagement message", {
    error_data: {
      messaging_product: "whatsapp",
      details: "Message failed to send because more than 24 hours have passed since the customer last replied to this number.",
    },
  });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

export async function startFakeGraphApi(options: FakeGraphApiOptions = {}): Promise<FakeGraphApi> {
  const version = options.version ?? "v21.0";
  const wa = options.whatsapp ?? {};
  const fb = options.messenger ?? {};
  const ig = options.instagram ?? {};
  const requests: FakeGraphRequest[] = [];
  const sent: FakeGraphSent[] = [];
  const queue: FakeGraphReply[] = [];
  const closedWindows = new Set<string>();
  const expiredTokens = new Set<string>();
  const media = new Map<string, { bytes: Buffer; mimeType: string; servedType?: string }>();
  let origin = "";
  const hanging = new Set<ServerResponse>();

  const reply = (res: ServerResponse, r: { status: number; body: unknown }) => {
    res.writeHead(r.status, { "content-type": "application/json; charset=UTF-8", "x-fb-trace-id": trace() });
    res.end(JSON.stringify(r.body));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const rawBody = await readBody(req);
    const url = new URL(req.url ?? "/", "http://fake");
    let body: unknown;
    try {
      body = rawBody ? JSON.parse(rawBody) : undefined;
    } catch {
      body = undefined;
    }
    requests.push({ method: req.method ?? "", path: url.pathname, headers: req.headers, rawBody, body });

    const parts = url.pathname.split("/").filter(Boolean);
    if (req.method === "GET") return serveMedia(req, res, parts);
    if (req.method !== "POST" || parts.length !== 3 || parts[0] !== version || parts[2] !== "messages") {
      return reply(res, graphError(400, 2500, `Unknown path components: ${url.pathname}`));
    }
    const target = decodeURIComponent(parts[1] ?? "");
    const auth = req.headers.authorization;
    const token = auth?.startsWith("Bearer ") ? auth.slice(7) : url.searchParams.get("access_token");
    if (!token) return reply(res, graphError(400, 104, "An access token is required to request this resource."));

    let product: FakeGraphSent["product"];
    let accountId: string;
    if (target === "me") {
      const page = Object.entries(fb).find(([, t]) => t === token);
      if (!page) return reply(res, graphError(401, 190, "Invalid OAuth access token - Cannot parse access token"));
      product = "messenger";
      accountId = page[0];
    } else if (target in wa || target in ig) {
      product = target in wa ? "whatsapp" : "instagram";
      accountId = target;
      if ((product === "whatsapp" ? wa : ig)[target] !== token) {
        return reply(res, graphError(401, 190, "Invalid OAuth access token - Cannot parse access token"));
      }
    } else {
      return reply(res, graphError(400, 100, `Unsupported post request. Object with ID '${target}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`, { error_subcode: 33 }));
    }

    const next = queue.shift();
    if (next === "hang") {
      hanging.add(res);
      return;
    }
    if (next) return reply(res, next);

    if (!(req.headers["content-type"] ?? "").startsWith("application/json") || !isRecord(body)) {
      return reply(res, graphError(400, 100, "(#100) Invalid parameter"));
    }
    const id = `${product === "whatsapp" ? "wamid." : "m_"}${randomBytes(24).toString("base64url")}`;
    if (product === "whatsapp") {
      const text = isRecord(body.text) ? body.text.body : undefined;
      if (body.messaging_product !== "whatsapp") return reply(res, graphError(400, 100, "(#100) The parameter messaging_product is required."));
      if (typeof body.to !== "string" || body.to === "") return reply(res, graphError(400, 100, "(#100) The parameter to is required."));
      if (body.type !== "text" || typeof text !== "string" || text === "") return reply(res, graphError(400, 100, "(#100) Param text['body'] is required."));
      if (body.recipient_type !== undefined && body.recipient_type !== "individual") return reply(res, graphError(400, 100, "(#100) Invalid parameter"));
      if (text.length > 4096) return reply(res, graphError(400, 100, "(#100) Param text['body'] must be at most 4096 characters long."));
      if (closedWindows.has(body.to)) return reply(res, whatsAppWindowError());
      sent.push({ product, accountId, to: body.to, text, id });
      return reply(res, { status: 200, body: { messaging_product: "whatsapp", contacts: [{ input: body.to, wa_id: body.to.replace(/^\+/, "") }], messages: [{ id }] } });
    }
    const recipient = isRecord(body.recipient) ? body.recipient.id : undefined;
    const text = isRecord(body.message) ? body.message.text : undefined;
    if (typeof recipient !== "string" || recipient === "") return reply(res, graphError(400, 100, "(#100) The parameter recipient is required"));
    if (typeof text !== "string" || text === "") return reply(res, graphError(400, 100, "(#100) The parameter message is required"));
    if (product === "messenger" && !["RESPONSE", "UPDATE", "MESSAGE_TAG"].includes(String(body.messaging_type))) {
      return reply(res, graphError(400, 100, "(#100) The parameter messaging_type is required"));
    }
    sent.push({ product, accountId, to: recipient, text, id });
    return reply(res, { status: 200, body: { recipient_id: recipient, message_id: id } });
  };

  const bearer = (req: IncomingMessage) => (req.headers.authorization?.startsWith("Bearer ") ? req.headers.authorization.slice(7) : null);
  /** WhatsApp media: metadata at /{version}/{id}, bytes at /whatsapp-media/{id} (token), /cdn/{id} (no token). */
  const serveMedia = (req: IncomingMessage, res: ServerResponse, parts: string[]) => {
    const [first, id = ""] = parts;
    const file = media.get(decodeURIComponent(id));
    const sendBytes = () => {
      res.writeHead(200, { "content-type": file!.servedType ?? file!.mimeType, "content-length": String(file!.bytes.length) });
      res.end(file!.bytes);
    };
    if (first === "cdn" && file) return sendBytes();
    const token = bearer(req);
    if (!token) return reply(res, graphError(400, 104, "An access token is required to request this resource."));
    if (expiredTokens.has(token)) return reply(res, graphError(401, 190, "Error validating access token: Session has expired on Thursday, 03-Dec-26 10:00:00 PST.", { error_subcode: 463 }));
    if (!Object.values(wa).includes(token)) return reply(res, graphError(401, 190, "Invalid OAuth access token - Cannot parse access token"));
    if (first === "whatsapp-media" && file) return sendBytes();
    if (first === version && parts.length === 2 && file) {
      return reply(res, { status: 200, body: { messaging_product: "whatsapp", url: `${origin}/whatsapp-media/${encodeURIComponent(id)}`, mime_type: file.mimeType, sha256: "", file_size: file.bytes.length, id } });
    }
    return reply(res, graphError(400, 100, `Unsupported get request. Object with ID '${id}' does not exist`, { error_subcode: 33 }));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) reply(res, graphError(500, 1, "An unknown error occurred"));
    });
  });
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(options.port ?? 0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;

  return {
    baseUrl: `http://127.0.0.1:${port}/${version}`,
    requests,
    sent,
    closedWindows,
    expiredTokens,
    addMedia: (id, file) => {
      media.set(id, file);
      return { cdnUrl: `${origin}/cdn/${encodeURIComponent(id)}` };
    },
    enqueue: (r) => void queue.push(r),
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
