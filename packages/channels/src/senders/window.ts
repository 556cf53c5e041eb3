/** WhatsApp's customer service window: free-form messages only within 24 h of the customer's last message. */
export const WHATSAPP_WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * True when a free-form WhatsApp message can no longer be sent: no inbound message at all, or the last
 * one is 24 hours old or more (exactly 24 h counts as outside). A last message in the future (clock
 * skew) counts as inside.
 */
export function isOutsideWhatsAppWindow(lastInboundAt: Date | null | undefined, now: Date = new Date()): boolean {
  if (!lastInboundAt || Number.isNaN(lastInboundAt.getTime())) return true;
  return now.getTime() - lastInboundAt.getTime() >= WHATSAPP_WINDOW_MS;
}
