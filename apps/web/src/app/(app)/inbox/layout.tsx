import type { ReactNode } from "react";
import { LiveUpdates } from "~/components/inbox/live-updates";

/** One live subscription for everything under /inbox. */
export default function InboxLayout({ children }: { children: ReactNode }) {
  return <LiveUpdates>{children}</LiveUpdates>;
}
