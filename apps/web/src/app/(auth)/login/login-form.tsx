"use client";

import Link from "next/link";
import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Alert, Button, Field, Input } from "~/components/ui";

/** By the `error` next-auth reads from the answer's url (set by /api/auth's refusals too). */
const MESSAGES: Record<string, string> = {
  CredentialsSignin: "Wrong e-mail or password.",
  RateLimited: "Too many failed attempts. Wait a few minutes and try again.",
  TooLarge: "That e-mail or password is far too long.",
  Busy: "Alfred is busy signing people in. Try again in a moment.",
  SessionRequired: "Please sign in.",
};
/** A thrown signIn(): no network, or an answer that is not next-auth's (a proxy's 413 page). */
const UNREACHABLE = "Sign-in did not go through. Check your connection and try again.";

export function LoginForm({ initialError }: { initialError?: string }) {
  const router = useRouter();
  const [error, setError] = useState(initialError ? (MESSAGES[initialError] ?? "Sign-in failed.") : "");
  const [pending, setPending] = useState(false);

  /** Every way out (refusal, an answer without a url, no network) re-enables the form with a message. */
  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setPending(true);
    setError("");
    try {
      const result = await signIn("credentials", { email: String(form.get("email")), password: String(form.get("password")), redirect: false });
      if (result?.ok && !result.error) {
        router.replace("/inbox");
        router.refresh();
        return;
      }
      setError(MESSAGES[result?.error ?? ""] ?? (result?.status === 429 ? MESSAGES.RateLimited! : "Sign-in failed. Try again."));
    } catch {
      setError(UNREACHABLE);
    } finally {
      setPending(false);
    }
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4 rounded-xl border border-slate-200 bg-white p-6 shadow-sm" aria-label="Sign in">
      <h1 className="text-xl font-semibold">Sign in</h1>
      {error && <Alert>{error}</Alert>}
      <Field label="E-mail">
        <Input name="email" type="email" autoComplete="email" required autoFocus />
      </Field>
      <Field label="Password">
        <Input name="password" type="password" autoComplete="current-password" required />
      </Field>
      <Button type="submit" className="w-full" disabled={pending}>
        {pending ? "Signing in…" : "Sign in"}
      </Button>
      <p className="text-center text-sm text-slate-500">
        New to Alfred?{" "}
        <Link href="/signup" className="font-medium text-brand-600 hover:underline">
          Create an account
        </Link>
      </p>
    </form>
  );
}
