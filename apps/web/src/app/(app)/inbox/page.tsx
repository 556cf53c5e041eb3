import type { Metadata } from "next";
import { Suspense } from "react";
import { Inbox } from "~/components/inbox/inbox";
import { requirePrincipal } from "~/server/auth";

export const metadata: Metadata = { title: "Inbox" };

export default async function InboxPage() {
  const principal = await requirePrincipal();
  return (
    <Suspense fallback={<p className="p-6 text-sm text-slate-500" role="status">Loading inbox…</p>}>
      <Inbox currentUserId={principal.userId} />
    </Suspense>
  );
}
