"use client";

import { useMutation } from "@tanstack/react-query";
import { signIn } from "next-auth/react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Alert, Button, Field, Input } from "~/components/ui";
import { useTRPC } from "~/trpc/react";

/** Creates the tenant and its first admin, then signs the new admin in. */
export function SignupForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const register = useMutation(trpc.auth.register.mutationOptions());
  const [error, setError] = useState("");

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError("");
    const form = new FormData(event.currentTarget);
    const input = {
      name: String(form.get("name")),
      tenant_name: String(form.get("tenant_name")),
      email: String(form.get("email")),
      password: String(form.get("password")),
    };
    try {
      await register.mutateAsync(input);
    } catch (err) {
      setError((err as Error).message);
      return;
    }
    // The account exists now: any failure to sign in leads to the sign-in page, never a stuck form.
    const result = await signIn("credentials", { email: input.email, password: input.password, redirect: false }).catch(() => null);
    if (result?.ok && !result.error) {
      router.replace("/inbox");
      router.refresh();
    } else {
      router.replace("/login");
    }
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4 rounded-xl border border-slate-200 bg-white p-6 shadow-sm" aria-label="Create an account">
      <h1 className="text-xl font-semibold">Create your Alfred workspace</h1>
      {error && <Alert>{error}</Alert>}
      <Field label="Your name">
        <Input name="name" autoComplete="name" required maxLength={120} />
      </Field>
      <Field label="Company or team">
        <Input name="tenant_name" autoComplete="organization" required maxLength={120} />
      </Field>
      <Field label="E-mail">
        <Input name="email" type="email" autoComplete="email" required />
      </Field>
      <Field label="Password" hint="At least 8 characters.">
        <Input name="password" type="password" autoComplete="new-password" required minLength={8} />
      </Field>
      <Button type="submit" className="w-full" disabled={register.isPending}>
        {register.isPending ? "Creating…" : "Create account"}
      </Button>
      <p className="text-center text-sm text-slate-500">
        Already have an account?{" "}
        <Link href="/login" className="font-medium text-brand-600 hover:underline">
          Sign in
        </Link>
      </p>
    </form>
  );
}
