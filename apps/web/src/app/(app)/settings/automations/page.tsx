import type { Metadata } from "next";
import { requirePrincipal } from "~/server/auth";
import { AutomationsAdmin } from "./automations-admin";

export const metadata: Metadata = { title: "Automations" };

export default async function AutomationsPage() {
  const principal = await requirePrincipal();
  return <AutomationsAdmin tenantId={principal.tenantId} />;
}
