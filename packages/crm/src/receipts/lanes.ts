/**
 * Receipts are spread over a fixed number of lanes by (channel, sender). One worker at a time drains
 * a lane, in arrival order, so one sender's receipts are processed in order while 64 lanes run in
 * parallel across worker replicas. The lane of a sender never changes.
 */
export const RECEIPT_LANES = 64;

/** Namespace of the transaction-scoped advisory lock a worker holds while it drains a lane. */
export const RECEIPT_LANE_LOCK = 0x61_6c_66_72; // "alfr"

/** FNV-1a (32 bit) of `channelId:orderingKey`, modulo the lane count. */
export function receiptLane(channelId: string, orderingKey: string): number {
  let hash = 0x81_1c_9d_c5;
  const key = `${channelId}:${orderingKey}`;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01_00_01_93) >>> 0;
  }
  return hash % RECEIPT_LANES;
}
