import type { Principal } from "@alfred/auth";
import { roleAtLeast, type Role } from "@alfred/auth/roles";
import Link from "next/link";
import type { ReactNode } from "react";
import { NavLink } from "./nav-link";
import { NotificationBell } from "./notifications/bell";
import { SignOutButton } from "./sign-out-button";

/** What each area needs; the navigation shows only what the role may open. */
export const AREAS: { href: string; label: string; minimum: Role }[] = [
  { href: "/inbox", label: "Inbox", minimum: "agent" },
  { href: "/deliveries", label: "Deliveries", minimum: "manager" },
  { href: "/settings", label: "Settings", minimum: "admin" },
];

export function AppShell({ principal, children }: { principal: Principal; children: ReactNode }) {
  return (
    <div className="flex min-h-full flex-col">
      <header className="flex h-14 items-center gap-6 border-b border-slate-200 bg-white px-4">
        <Link href="/inbox" className="flex items-center gap-2 font-semibold">
          <span className="inline-flex h-7 w-7 items-center justify-center rounded-md bg-brand-600 text-sm font-bold text-white">A</span>
          Alfred
        </Link>
        <nav aria-label="Main" className="flex gap-1">
          {AREAS.filter((area) => roleAtLeast(principal.role, area.minimum)).map((area) => (
            <NavLink key={area.href} href={area.href}>
              {area.label}
            </NavLink>
          ))}
        </nav>
        <div className="ml-auto flex items-center gap-3 text-sm">
          <NotificationBell canSeeDeliveries={roleAtLeast(principal.role, "manager")} isAdmin={roleAtLeast(principal.role, "admin")} />
          <span className="text-right leading-tight">
            <span className="block font-medium" data-testid="current-user">
              {principal.name}
            </span>
            <span className="block text-xs text-slate-500">
              {principal.tenantName} · <span data-testid="current-role">{principal.role}</span>
            </span>
          </span>
          <SignOutButton />
        </div>
      </header>
      <div className="flex-1">{children}</div>
    </div>
  );
}

export function Forbidden({ needs }: { needs: Role }) {
  return (
    <div className="mx-auto max-w-lg p-10 text-center" role="alert">
      <p className="text-4xl font-semibold text-slate-300">403</p>
      <h1 className="mt-2 text-lg font-semibold">You do not have access to this page</h1>
      <p className="mt-1 text-sm text-slate-500">It needs the {needs} role. Ask an admin of your workspace if you need it.</p>
    </div>
  );
}
