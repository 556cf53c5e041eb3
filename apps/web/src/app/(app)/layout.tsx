import type { ReactNode } from "react";
import { AppShell } from "~/components/app-shell";
import { requirePrincipal } from "~/server/auth";

export const dynamic = "force-dynamic";

export default async function AppLayout({ children }: { children: ReactNode }) {
  const principal = await requirePrincipal();
  return <AppShell principal={principal}>{children}</AppShell>;
}
