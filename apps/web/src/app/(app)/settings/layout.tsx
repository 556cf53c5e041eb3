import { roleAtLeast } from "@alfred/auth/roles";
import type { ReactNode } from "react";
import { Forbidden } from "~/components/app-shell";
import { NavLink } from "~/components/nav-link";
import { requirePrincipal } from "~/server/auth";

export default async function SettingsLayout({ children }: { children: ReactNode }) {
  const principal = await requirePrincipal();
  if (!roleAtLeast(principal.role, "admin")) return <Forbidden needs="admin" />;
  return (
    <div className="mx-auto flex max-w-6xl gap-8 p-6">
      <aside className="w-48 shrink-0">
        <h1 className="mb-3 text-lg font-semibold">Settings</h1>
        <nav aria-label="Settings" className="flex flex-col gap-1">
          <NavLink href="/settings/users">Users</NavLink>
          <NavLink href="/settings/channels">Channels</NavLink>
          <NavLink href="/settings/leads">Leads</NavLink>
          <NavLink href="/settings/automations">Automations</NavLink>
          <NavLink href="/settings/rules">Rules</NavLink>
          <NavLink href="/settings/api-keys">API keys</NavLink>
          <NavLink href="/settings/audit-log">Audit log</NavLink>
        </nav>
      </aside>
      <section className="min-w-0 flex-1">{children}</section>
    </div>
  );
}
