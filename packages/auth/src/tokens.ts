import { AppError } from "@alfred/core";
import { errors as joseErrors, jwtVerify, SignJWT } from "jose";
import type { Role } from "./roles";

export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
export const REFRESH_TOKEN_TTL_SECONDS = 30 * 24 * 60 * 60;
const ISSUER = "alfred";

export type TokenType = "access" | "refresh";

export interface TokenClaims {
  userId: string;
  tenantId: string;
  role: Role;
}

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type: "bearer";
  expires_in: number;
}

const keyOf = (secret: string) => new TextEncoder().encode(secret);

async function sign(claims: TokenClaims, type: TokenType, ttl: number, secret: string): Promise<string> {
  return new SignJWT({ tid: claims.tenantId, role: claims.role, type })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(claims.userId)
    .setIssuer(ISSUER)
    .setIssuedAt()
    .setExpirationTime(`${ttl}s`)
    .setJti(crypto.randomUUID())
    .sign(keyOf(secret));
}

/** Access + refresh JWTs as the original API issued them (`type` claim tells them apart). */
export async function issueTokenPair(claims: TokenClaims, secret: string): Promise<TokenPair> {
  const [access_token, refresh_token] = await Promise.all([
    sign(claims, "access", ACCESS_TOKEN_TTL_SECONDS, secret),
    sign(claims, "refresh", REFRESH_TOKEN_TTL_SECONDS, secret),
  ]);
  return { access_token, refresh_token, token_type: "bearer", expires_in: ACCESS_TOKEN_TTL_SECONDS };
}

/**
 * Verifies signature, issuer, expiry and that the token is of the expected type: a refresh token is
 * never accepted as a bearer and an access token never refreshes.
 */
export async function verifyToken(token: string, expected: TokenType, secret: string): Promise<TokenClaims> {
  try {
    const { payload } = await jwtVerify(token, keyOf(secret), { issuer: ISSUER, algorithms: ["HS256"] });
    if (payload.type !== expected) throw new AppError("unauthorized", `a ${String(payload.type)} token cannot be used here; expected a ${expected} token`);
    if (typeof payload.sub !== "string" || typeof payload.tid !== "string" || typeof payload.role !== "string") {
      throw new AppError("unauthorized", "token is missing its claims");
    }
    return { userId: payload.sub, tenantId: payload.tid, role: payload.role as Role };
  } catch (err) {
    if (err instanceof AppError) throw err;
    if (err instanceof joseErrors.JWTExpired) throw new AppError("unauthorized", "token has expired");
    throw new AppError("unauthorized", "token is invalid");
  }
}
