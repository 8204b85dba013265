// An access JWT signed with the Worker's secret, as login would issue it: for the scripts that drive
// a local Worker (benchmark, crash test) without paying a PBKDF2 login per user.
import { SignJWT } from "jose";

export function accessToken(secret, userId, role) {
  return new SignJWT({ role, token_type: "access" })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(String(userId))
    .setIssuer("service-marketplace")
    .setAudience("service-marketplace-api")
    .setJti(crypto.randomUUID())
    .setIssuedAt()
    .setExpirationTime("2h")
    .sign(new TextEncoder().encode(secret));
}
