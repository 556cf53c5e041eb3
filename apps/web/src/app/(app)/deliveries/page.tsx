import { roleAtLeast } from "@alfred/auth/roles";
import type { Metadata } from "next";
import { Suspense } from "react";
import { Forbidden } from "~/components/app-shell";
import { DeliveriesDashboard } from "~/components/deliveries/dashboard";
import { requirePrincipal } from "~/server/auth";

export const metadata: Metadata = { title: "Deliveries" };

export default async function DeliveriesPage() {
  const principal = await requirePrincipal();
  if (!roleAtLeast(principal.role, "manager")) return <Forbidden needs="manager" />;
  return (
    <Suspense fallback={<p className="p-6 text-sm text-slate-500">Loading deliveries…</p>}>
      <DeliveriesDashboard isAdmin={roleAtLeast(principal.role, "admin")} />
    </Suspense>
  );
}
