import { createHmac } from "node:crypto";

/** A signed WhatsApp Cloud API webhook, as Meta posts it (about 600 bytes). */
export function signedWhatsApp(o: { phoneNumberId: string; appSecret: string; from: string; id: string; text: string }): { body: string; headers: Record<string, string> } {
  const body = JSON.stringify({
    object: "whatsapp_business_account",
    entry: [
      {
        id: "102290129340398",
        changes: [
          {
            field: "messages",
            value: {
              messaging_product: "whatsapp",
              metadata: { display_phone_number: "15550783881", phone_number_id: o.phoneNumberId },
              contacts: [{ profile: { name: `Customer ${o.from.slice(-4)}` }, wa_id: o.from }],
              messages: [{ from: o.from, id: o.id, timestamp: String(Math.floor(Date.now() / 1000)), type: "text", text: { body: o.text } }],
            },
          },
        ],
      },
    ],
  });
  return { body, headers: { "content-type": "application/json", "x-hub-signature-256": `sha256=${createHmac("sha256", o.appSecret).update(body).digest("hex")}` } };
}

/** A body of about `bytes` bytes, for the empty-route baseline (the same size as a webhook). */
export const paddedBody = (bytes: number) => JSON.stringify({ object: "whatsapp_business_account", padding: "x".repeat(Math.max(0, bytes - 50)) });
