import type { Metadata } from "next";
import { EmptyState } from "~/components/ui";

export const metadata: Metadata = { title: "Inbox" };

export default function InboxPage() {
  return (
    <div className="p-6">
      <h1 className="mb-4 text-lg font-semibold">Inbox</h1>
      <EmptyState title="Conversations will appear here">
        Channel webhooks, the live conversation list and the composer are tracked in issue #3.
      </EmptyState>
    </div>
  );
}
