import { createPiece } from "@activepieces/pieces-framework";
import { PieceCategory } from "@activepieces/shared";
import { alfredActions } from "./lib/actions";
import { alfredAuth } from "./lib/auth";
import { alfredTriggers } from "./lib/triggers";

/** Inline, so a private install shows it without reaching any other host. */
const LOGO =
  "data:image/svg+xml;base64," +
  Buffer.from(
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="14" fill="#1f2937"/><path d="M32 12 48 52h-8l-3.2-8.4H27.2L24 52h-8L32 12Zm0 15.5-3 8.3h6l-3-8.3Z" fill="#f9fafb"/></svg>',
  ).toString("base64");

export const alfred = createPiece({
  displayName: "Alfred",
  description: "Omnichannel inbox: start flows on messages, conversations, tasks and contacts, verified; act back in Alfred, signed and exactly once.",
  auth: alfredAuth,
  minimumSupportedRelease: "0.82.0",
  logoUrl: LOGO,
  authors: ["alfred"],
  categories: [PieceCategory.CUSTOMER_SUPPORT, PieceCategory.COMMUNICATION],
  actions: alfredActions,
  triggers: alfredTriggers,
});
