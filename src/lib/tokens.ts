import { SignJWT, jwtVerify } from "jose";
import type { Role } from "../../drizzle/schema";
import type { Config } from "../env";
import { hmacKey, sha256Hex } from "./crypto";

const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;
export const REFRESH_TOKEN_TTL_MS = 14 * 24 * 60 * 60 * 1000;

export interface AccessClaims {
  userId: number;
  role: Role;
}

/** What a verified token says, plus when it stops being valid (epoch seconds). */
export interface VerifiedAccess extends AccessClaims {
  expiresAt: number;
}

export async function signAccessToken(config: Config, claims: AccessClaims, ttlSeconds = ACCESS_TOKEN_TTL_SECONDS): Promise<string> {
  return new SignJWT({ role: claims.role, token_type: "access" })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(String(claims.userId))
    .setIssuer(config.jwtIssuer)
    .setAudience(config.jwtAudience)
    .setJti(crypto.randomUUID())
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(await hmacKey(config.jwtSecret));
}

/** Verifies signature (HS256 only), expiry, issuer and audience; null for any invalid token. */
export async function verifyAccessToken(config: Config, token: string): Promise<VerifiedAccess | null> {
  try {
    const { payload } = await jwtVerify(token, await hmacKey(config.jwtSecret), {
      algorithms: ["HS256"],
      issuer: config.jwtIssuer,
      audience: config.jwtAudience,
      requiredClaims: ["sub", "jti", "exp", "iat"],
    });
    const userId = Number(payload.sub);
    const role = payload.role;
    if (payload.token_type !== "access" || !Number.isSafeInteger(userId) || userId < 1) return null;
    if (role !== "client" && role !== "worker" && role !== "admin") return null;
    return { userId, role, expiresAt: Number(payload.exp) };
  } catch {
    return null;
  }
}

/** An opaque refresh token (256 random bits) and the SHA-256 that is stored instead of it. */
export async function newRefreshToken(): Promise<{ token: string; hash: string }> {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const token = btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  return { token, hash: await sha256Hex(token) };
}
