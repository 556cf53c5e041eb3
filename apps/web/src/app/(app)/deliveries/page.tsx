import { roleAtLeast } from "@alfred/auth/roles";
import type { Metadata } from "next";
import { Forbidden } from "~/components/app-shell";
import { EmptyState } from "~/components/ui";
import { requirePrincipal } from "~/server/auth";

export const metadata: Metadata = { title: "Deliveries" };

export default async function DeliveriesPage() {
  const principal = await requirePrincipal();
  if (!roleAtLeast(principal.role, "manager")) return <Forbidden needs="manager" />;
  return (
    <div className="p-6">
      <h1 className="mb-4 text-lg font-semibold">Deliveries</h1>
      <EmptyState title="No deliveries yet">Webhook deliveries to your automation destinations will be listed here (issues #4 and #6).</EmptyState>
    </div>
  );
}
