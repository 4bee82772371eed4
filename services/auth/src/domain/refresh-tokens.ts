import { createHash, randomBytes } from 'node:crypto';

/** An opaque refresh token: 256 random bits, base64url (43 characters). */
export const newRefreshToken = (): string => randomBytes(32).toString('base64url');

/** What the database keeps instead of the token: its SHA-256 (hex). */
export const refreshTokenHash = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

export const REFRESH_TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
