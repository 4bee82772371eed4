import { z } from 'zod';
import { ROLES } from '../identity';

/** A CSRF token for a cookie-authenticated browser, also set as an HttpOnly SameSite=Strict cookie. */
export const csrfTokenView = z.strictObject({
  /** Echo it in X-CSRF-Token on every state-changing request. */
  token: z.string(),
  /** Milliseconds until it expires. */
  expiresIn: z.number().int().positive(),
}).meta({ id: 'CsrfToken' });
export type CsrfTokenView = z.infer<typeof csrfTokenView>;

/**
 * A browser's session: the tokens went into HttpOnly cookies (the access token where the gateway
 * reads it, the refresh token scoped to the session's own routes), so the page never holds them.
 */
export const browserSessionView = z.strictObject({
  /** Seconds until the access cookie's token expires: refresh before then. */
  expiresIn: z.number().int().positive(),
  roles: z.array(z.enum(ROLES)),
  userId: z.string(),
}).meta({ id: 'BrowserSession' });
export type BrowserSessionView = z.infer<typeof browserSessionView>;
