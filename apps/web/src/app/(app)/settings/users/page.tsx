import type { Metadata } from "next";
import { requirePrincipal } from "~/server/auth";
import { UsersAdmin } from "./users-admin";

export const metadata: Metadata = { title: "Users" };

export default async function UsersPage() {
  const principal = await requirePrincipal();
  return <UsersAdmin currentUserId={principal.userId} />;
}
