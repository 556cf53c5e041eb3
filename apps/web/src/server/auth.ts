import "server-only";
import { authenticate, clientAddress, loadPrincipal, type Principal, type Role } from "@alfred/auth";
import { isAppError } from "@alfred/core";
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
        // The limits that answer 429 run before this, in the route (so they can set Retry-After).
        async authorize(credentials, req) {
          const email = credentials?.email ?? "";
          const password = credentials?.password ?? "";
          if (!email || !password) return null;
          const { db, throttle, addressLimits, trustedProxyHops, logger } = deps();
          const address = clientAddress(new Headers(req.headers as Record<string, string>), trustedProxyHops);
          let principal: Principal | null;
          try {
            principal = await authenticate(db, email, password, address);
          } catch (err) {
            // next-auth puts a thrown message into the redirect URL: only our own words go there.
            if (isAppError(err) && (err.code === "rate_limited" || err.code === "unavailable")) throw new Error("Busy");
            logger.error({ err }, "sign-in failed");
            throw new Error("SignInFailed");
          }
          if (!principal) {
            await throttle.recordFailure(email);
            return null;
          }
          await Promise.all([throttle.reset(email), addressLimits.refund("login", address)]);
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
