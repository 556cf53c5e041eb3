import { roleAtLeast } from "@alfred/auth/roles";
import type { Metadata } from "next";
import { Suspense } from "react";
import { Forbidden } from "~/components/app-shell";
import { EventTimeline } from "~/components/deliveries/timeline";
import { requirePrincipal } from "~/server/auth";

export const metadata: Metadata = { title: "Event timeline" };

export default async function EventTimelinePage() {
  const principal = await requirePrincipal();
  if (!roleAtLeast(principal.role, "manager")) return <Forbidden needs="manager" />;
  return (
    <Suspense fallback={<p className="p-6 text-sm text-slate-500">Loading the timeline…</p>}>
      <EventTimeline />
    </Suspense>
  );
}
