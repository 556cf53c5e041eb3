import type { Metadata } from "next";
import { Suspense } from "react";
import { AuditLog } from "./audit-log";

export const metadata: Metadata = { title: "Audit log" };

export default function AuditLogPage() {
  return (
    <Suspense fallback={<p className="text-sm text-slate-500">Loading the audit log…</p>}>
      <AuditLog />
    </Suspense>
  );
}
