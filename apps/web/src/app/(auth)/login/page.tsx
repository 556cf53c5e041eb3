import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { currentPrincipal } from "~/server/auth";
import { LoginForm } from "./login-form";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ error?: string }> }) {
  if (await currentPrincipal()) redirect("/inbox");
  const { error } = await searchParams;
  return <LoginForm initialError={error} />;
}
