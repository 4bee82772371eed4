import { SignJWT } from 'jose';
import type { Role } from '@stampede/contracts';
import type { KeyRing } from './signing-keys';

export interface AccessTokenSettings {
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

export interface AccessTokenSubject {
  userId: string;
  roles: Role[];
  sessionId: string;
  accountCreatedAt: Date;
}

/**
 * Signs an access token with the active key. The claims are exactly what the chassis verifier
 * reads: sub, roles, sid, uca (account created at, epoch seconds), plus iss, aud, iat, exp.
 */
export function signAccessToken(keys: KeyRing, s: AccessTokenSettings, who: AccessTokenSubject): Promise<string> {
  const { active } = keys;
  return new SignJWT({ roles: who.roles, sid: who.sessionId, uca: Math.floor(who.accountCreatedAt.getTime() / 1000) })
    .setProtectedHeader({ alg: active.alg, kid: active.kid, typ: 'JWT' })
    .setSubject(who.userId)
    .setIssuer(s.issuer)
    .setAudience(s.audience)
    .setIssuedAt()
    .setExpirationTime(`${s.ttlSeconds}s`)
    .sign(active.privateKey);
}
