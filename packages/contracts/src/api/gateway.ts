import { z } from 'zod';

/** A CSRF token for a cookie-authenticated browser, also set as an HttpOnly SameSite=Strict cookie. */
export const csrfTokenView = z.strictObject({
  /** Echo it in X-CSRF-Token on every state-changing request. */
  token: z.string(),
  /** Milliseconds until it expires. */
  expiresIn: z.number().int().positive(),
}).meta({ id: 'CsrfToken' });
export type CsrfTokenView = z.infer<typeof csrfTokenView>;
