import type { Metadata } from "next";
import { LeadsSettings } from "./leads-settings";

export const metadata: Metadata = { title: "Leads" };

export default function LeadsSettingsPage() {
  return <LeadsSettings />;
}
