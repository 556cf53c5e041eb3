import { describe, expect, it } from "vitest";
import { CHANNEL_TYPES, isChannelType, isStatusAdvance, type OutboundStatus } from "./types";

const ALL: OutboundStatus[] = ["queued", "sending", "sent", "delivered", "read", "failed"];

// Row = current status, column = next status: may `next` replace `current`?
const TABLE: Record<OutboundStatus, Record<OutboundStatus, boolean>> = {
  queued: { queued: false, sending: true, sent: true, delivered: true, read: true, failed: true },
  sending: { queued: false, sending: false, sent: true, delivered: true, read: true, failed: true },
  sent: { queued: false, sending: false, sent: false, delivered: true, read: true, failed: true },
  delivered: { queued: false, sending: false, sent: false, delivered: false, read: true, failed: false },
  read: { queued: false, sending: false, sent: false, delivered: false, read: false, failed: false },
  failed: { queued: false, sending: false, sent: false, delivered: true, read: true, failed: false },
};

describe("isStatusAdvance", () => {
  for (const current of ALL) {
    for (const next of ALL) {
      const expected = TABLE[current][next];
      it(`${current} -> ${next}: ${expected ? "advance" : "kept"}`, () => {
        expect(isStatusAdvance(current, next)).toBe(expected);
      });
    }
  }

  it("a late delivered after read leaves read (out-of-order notifications)", () => {
    let status: OutboundStatus = "sent";
    for (const next of ["read", "delivered", "sent"] as const) if (isStatusAdvance(status, next)) status = next;
    expect(status).toBe("read");
  });
});

describe("isChannelType", () => {
  it("accepts the five types and nothing else", () => {
    for (const t of CHANNEL_TYPES) expect(isChannelType(t)).toBe(true);
    for (const t of ["sms", "WhatsApp", "", null, 1, "__proto__"]) expect(isChannelType(t)).toBe(false);
  });
});
