import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ROLES, type Principal, type Role } from './identity';

/**
 * The identity the gateway hands a service once it has verified the access token and the session:
 * one header, `x-stampede-identity: <kid>.<payload>.<mac>`, HMAC-SHA256 under a key only the
 * gateway and the services hold (INTERNAL_IDENTITY_KEYS, from the release's Secret). The hot path
 * pays for one signature check (the gateway's) instead of an ECDSA check in every service.
 *
 * A header cannot be forged without the key, and one that was seen cannot be replayed for another
 * request: it names the method, the path and a digest of the body, expires within seconds, and
 * carries a nonce each replica accepts once.
 */
export const IDENTITY_HEADER = 'x-stampede-identity';

export interface IdentityKeys {
  /** The key new headers are signed with. */
  active: { kid: string; key: Buffer };
  /** Every key a header may be signed with (the active one and those being rotated out). */
  byKid: ReadonlyMap<string, Buffer>;
}

/** `kid:base64url,kid2:base64url`, the first one active; every key at least 32 bytes. */
export function parseIdentityKeys(setting: string): IdentityKeys {
  const byKid = new Map<string, Buffer>();
  let active: IdentityKeys['active'] | undefined;
  for (const item of setting.split(',').map((s) => s.trim()).filter(Boolean)) {
    const at = item.indexOf(':');
    const kid = item.slice(0, at);
    const key = Buffer.from(item.slice(at + 1), 'base64url');
    if (at < 1 || !/^[A-Za-z0-9_-]{1,32}$/.test(kid)) throw new Error('expected kid:base64url pairs, comma separated');
    if (key.length < 32) throw new Error(`key ${kid} is shorter than 32 bytes`);
    if (byKid.has(kid)) throw new Error(`key ${kid} is listed twice`);
    byKid.set(kid, key);
    active ??= { kid, key };
  }
  if (!active) throw new Error('at least one key is required');
  return { active, byKid };
}

/** What a header binds besides the principal: the request it was made for. */
export interface BoundRequest {
  method: string;
  /** Path and query string, as the service receives them. */
  path: string;
  /** The raw body (empty when none). */
  body?: Buffer | undefined;
}

interface Payload {
  sub: string;
  roles: Role[];
  sid: string;
  uca?: number;
  m: string;
  p: string;
  b: string;
  exp: number;
  n: string;
}

export const bodyDigest = (body: Buffer | undefined) => (body && body.length ? createHash('sha256').update(body).digest('base64url').slice(0, 22) : '');
const mac = (key: Buffer, signed: string) => createHmac('sha256', key).update(signed).digest('base64url');

export function signIdentity(keys: IdentityKeys, who: Principal, req: BoundRequest, now: number, ttlMs: number): string {
  const payload: Payload = {
    sub: who.userId,
    roles: who.roles,
    sid: who.sessionId,
    ...(who.accountCreatedAt !== undefined ? { uca: who.accountCreatedAt } : {}),
    m: req.method,
    p: req.path,
    b: bodyDigest(req.body),
    exp: now + ttlMs,
    n: randomBytes(12).toString('base64url'),
  };
  const signed = `${keys.active.kid}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  return `${signed}.${mac(keys.active.key, signed)}`;
}

export type IdentityCheck = { ok: true; principal: Principal; nonce: string; expiresAt: number } | { ok: false; reason: 'malformed' | 'unknown-key' | 'forged' | 'expired' | 'other-request' };

/** Checks a header against the request it came with; says why it is refused, for the log only. */
export function openIdentity(keys: IdentityKeys, header: string, req: BoundRequest, now: number): IdentityCheck {
  const parts = header.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'malformed' };
  const [kid, body, given] = parts as [string, string, string];
  const key = keys.byKid.get(kid);
  if (!key) return { ok: false, reason: 'unknown-key' };
  const expected = Buffer.from(mac(key, `${kid}.${body}`));
  const provided = Buffer.from(given);
  if (expected.length !== provided.length || !timingSafeEqual(expected, provided)) return { ok: false, reason: 'forged' };
  let p: Payload;
  try {
    p = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Payload;
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (!(p.exp > now)) return { ok: false, reason: 'expired' };
  if (p.m !== req.method || p.p !== req.path || p.b !== bodyDigest(req.body)) return { ok: false, reason: 'other-request' };
  if (typeof p.sub !== 'string' || typeof p.sid !== 'string' || !Array.isArray(p.roles) || !p.roles.every((r) => (ROLES as readonly string[]).includes(r))) {
    return { ok: false, reason: 'malformed' };
  }
  const principal: Principal = { userId: p.sub, roles: p.roles, sessionId: p.sid, ...(p.uca !== undefined ? { accountCreatedAt: p.uca } : {}) };
  return { ok: true, principal, nonce: p.n, expiresAt: p.exp };
}
