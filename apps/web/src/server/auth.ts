import "server-only";
import { authenticate, loadPrincipal, type Principal, type Role } from "@alfred/auth";
import type { NextAuthOptions } from "next-auth";
import { getServerSession } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { redirect } from "next/navigation";
import { env } from "~/env";
import { deps } from "./deps";

declare module "next-auth" {
  interface Session {
    user: { id: string; tenantId: string; role: Role; name: string; email: string };
  }
  interface User {
    tenantId: string;
    role: Role;
  }
}

declare module "next-auth/jwt" {
  interface JWT {
    uid: string;
    tid: string;
    role: Role;
  }
}

export const SESSION_MAX_AGE_SECONDS = 12 * 60 * 60;

export function authOptions(): NextAuthOptions {
  return {
    secret: env().NEXTAUTH_SECRET,
    session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_SECONDS },
    pages: { signIn: "/login", error: "/login" },
    providers: [
      CredentialsProvider({
        name: "E-mail and password",
        credentials: { email: { label: "E-mail", type: "email" }, password: { label: "Password", type: "password" } },
        // The lock-out check runs before this, in the route (so it can answer 429 with Retry-After).
        async authorize(credentials) {
          const email = credentials?.email ?? "";
          const password = credentials?.password ?? "";
          if (!email || !password) return null;
          const { db, throttle } = deps();
          const principal = await authenticate(db, email, password);
          if (!principal) {
            await throttle.recordFailure(email);
            return null;
          }
          await throttle.reset(email);
          return { id: principal.userId, email: principal.email, name: principal.name, tenantId: principal.tenantId, role: principal.role };
        },
      }),
    ],
    callbacks: {
      jwt({ token, user }) {
        if (user) {
          token.uid = user.id;
          token.tid = user.tenantId;
          token.role = user.role;
        }
        return token;
      },
      session({ session, token }) {
        session.user = { id: token.uid, tenantId: token.tid, role: token.role, name: token.name ?? "", email: token.email ?? "" };
        return session;
      },
    },
  };
}

/**
 * The signed-in principal for a server component, re-read from the database: a deactivated user or
 * a changed role takes effect on the next request, whatever the session cookie says.
 */
export async function currentPrincipal(): Promise<Principal | null> {
  const session = await getServerSession(authOptions());
  if (!session?.user?.id) return null;
  return loadPrincipal(deps().db, session.user.id, session.user.tenantId);
}

export async function requirePrincipal(): Promise<Principal> {
  const principal = await currentPrincipal();
  if (!principal) redirect("/login");
  return principal;
}
