import { AppError } from '@stampede/chassis/errors';
import type { BrowserSessionView, ErrorCode } from '@stampede/contracts/api';
import type { CookieOptions, Express, Request, Response } from 'express';
import type { Deps } from '../deps';
import { BROWSER_SESSION_ROUTES } from '../domain/routes';
import { refresh, signIn, signOut, type SessionOutcome, type SessionRequest } from '../use-cases/browser-session';
import { ACCESS_COOKIE, CSRF_COOKIE, parseCookies, REFRESH_COOKIE } from './cookies';
import { setHeaders } from './proxy';

/** A refresh token lives this long at auth; the cookie need not outlive it. */
const REFRESH_COOKIE_MS = 7 * 24 * 3_600_000;

/**
 * HttpOnly (no script reads them), SameSite=Strict (no other site's request carries them) and
 * Secure whenever the browser came over HTTPS (or the deployment says always). The refresh
 * token goes only to the session's own routes.
 */
function cookieOptions(deps: Deps, req: Request, path: string): CookieOptions {
  return { httpOnly: true, secure: deps.cookieSecure || req.secure, sameSite: 'strict', path };
}
const REFRESH_PATH = BROWSER_SESSION_ROUTES.refresh.path;
const REFUSALS = new Set<ErrorCode>(['CSRF_INVALID', 'RATE_LIMIT_EXCEEDED']);

function sessionRequest(req: Request): SessionRequest {
  const cookies = parseCookies(req.headers.cookie);
  const csrf = req.headers['x-csrf-token'];
  return { ip: req.ip ?? '', requestId: String(req.id), userAgent: req.headers['user-agent'], csrfHeader: typeof csrf === 'string' ? csrf : undefined, csrfCookie: cookies[CSRF_COOKIE] };
}

function clearSession(deps: Deps, req: Request, res: Response): void {
  res.clearCookie(ACCESS_COOKIE, cookieOptions(deps, req, '/'));
  res.clearCookie(REFRESH_COOKIE, cookieOptions(deps, req, REFRESH_PATH));
}

/** Sets the session's cookies and answers who signed in; a refusal of auth goes back as auth gave it. */
function answer(deps: Deps, req: Request, res: Response, out: SessionOutcome): void {
  res.setHeader('Cache-Control', 'no-store');
  if (!out.ok) {
    setHeaders(res, out.answer.headers);
    res.status(out.answer.status).send(out.answer.body);
    return;
  }
  setHeaders(res, out.headers);
  const { accessToken, refreshToken, view } = out.tokens;
  res.cookie(ACCESS_COOKIE, accessToken, { ...cookieOptions(deps, req, '/'), maxAge: view.expiresIn * 1000 });
  res.cookie(REFRESH_COOKIE, refreshToken, { ...cookieOptions(deps, req, REFRESH_PATH), maxAge: REFRESH_COOKIE_MS });
  const body: BrowserSessionView = view;
  res.json(body);
}

/** POST /browser/session, POST /browser/session/refresh, DELETE /browser/session. */
export function browserSession(app: Express, deps: Deps): void {
  app.post(BROWSER_SESSION_ROUTES.signIn.path, async (req, res) => {
    answer(deps, req, res, await signIn(deps, sessionRequest(req), req.body));
  });

  app.post(BROWSER_SESSION_ROUTES.refresh.path, async (req, res) => {
    const out = await refresh(deps, sessionRequest(req), parseCookies(req.headers.cookie)[REFRESH_COOKIE]);
    // A refresh token auth refused (used, expired, revoked) is of no further use to the browser.
    if (!out.ok && out.answer.status === 401) clearSession(deps, req, res);
    answer(deps, req, res, out);
  });

  app.delete(BROWSER_SESSION_ROUTES.signOut.path, async (req, res) => {
    try {
      await signOut(deps, sessionRequest(req), parseCookies(req.headers.cookie)[ACCESS_COOKIE]);
    } catch (e) {
      // Refused (no CSRF pair, over the limit): nothing changes. Auth out of reach: the browser
      // forgets the session all the same, and the error says the session may still be live.
      if (!(e instanceof AppError && REFUSALS.has(e.code))) clearSession(deps, req, res);
      throw e;
    }
    clearSession(deps, req, res);
    res.status(204).end();
  });
}
