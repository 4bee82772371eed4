import { AppError } from '@stampede/chassis/errors';
import type { BrowserSessionView } from '@stampede/contracts/api';
import type { Deps } from '../deps';
import { csrfMatches } from '../domain/csrf';
import type { Answer } from '../domain/forwarding';
import { BROWSER_SESSION_ROUTES, ROUTES, type OwnRoute, type Route } from '../domain/routes';
import { admit, forward } from './proxy';
import { consumeLimit } from './rate-limits';

/** What a browser's request to its session brings. */
export interface SessionRequest {
  ip: string;
  requestId: string;
  userAgent: string | undefined;
  csrfHeader: string | undefined;
  csrfCookie: string | undefined;
}

/** The tokens to set as cookies, and what the page may know of the session. */
interface BrowserTokens {
  accessToken: string;
  refreshToken: string;
  view: BrowserSessionView;
}

/** Signed in (tokens for the cookies), or auth's refusal passed on as it came (401, 428 with its challenge, 429...). */
export type SessionOutcome = { ok: true; tokens: BrowserTokens; headers: Record<string, string> } | { ok: false; answer: Answer };

const AUTH_TIMEOUT_MS = 5_000;
const LOGOUT = ROUTES.find((r) => r.method === 'POST' && r.path === '/auth/logout') as Route;

/**
 * Every session route needs the CSRF pair: a cross-site page can make a browser post a form but
 * cannot read the token to echo it, so it can neither sign the browser into an account of its
 * choosing nor sign it out.
 */
function requireCsrf(d: Deps, req: SessionRequest): void {
  if (!csrfMatches(d.csrfSecret, req.csrfHeader, req.csrfCookie)) {
    throw new AppError('CSRF_INVALID', 'A valid CSRF token is required for this request');
  }
}

async function callAuth(d: Deps, route: OwnRoute, path: string, req: SessionRequest, body: unknown): Promise<{ answer: Answer; headers: Record<string, string> }> {
  const headers = await consumeLimit(d, route.rateLimit, { ip: req.ip });
  const answer = await d.upstreams.forward(
    'auth',
    {
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/json', 'user-agent': req.userAgent },
      body: Buffer.from(JSON.stringify(body)),
      ip: req.ip,
      requestId: req.requestId,
    },
    AUTH_TIMEOUT_MS,
  );
  return { answer, headers };
}

/** Auth's token pair as cookies' contents and the page's view (who, which roles: read from the verified token). */
async function outcome(d: Deps, answer: Answer, headers: Record<string, string>): Promise<SessionOutcome> {
  if (answer.status !== 200) return { ok: false, answer };
  const pair = JSON.parse(answer.body.toString()) as { accessToken: string; refreshToken: string; expiresIn: number };
  const principal = await d.verifier.verifyToken(pair.accessToken);
  return {
    ok: true,
    headers,
    tokens: { accessToken: pair.accessToken, refreshToken: pair.refreshToken, view: { expiresIn: pair.expiresIn, roles: principal.roles, userId: principal.userId } },
  };
}

/** Logs in at auth with the browser's email, password and (when auth asked for one) proof of work. */
export async function signIn(d: Deps, req: SessionRequest, body: unknown): Promise<SessionOutcome> {
  requireCsrf(d, req);
  const { answer, headers } = await callAuth(d, BROWSER_SESSION_ROUTES.signIn, '/auth/login', req, body ?? {});
  return outcome(d, answer, headers);
}

/** Rotates the session's refresh token (from its cookie) at auth. */
export async function refresh(d: Deps, req: SessionRequest, refreshToken: string | undefined): Promise<SessionOutcome> {
  requireCsrf(d, req);
  if (!refreshToken) throw new AppError('AUTH_REQUIRED', 'Authentication required');
  const { answer, headers } = await callAuth(d, BROWSER_SESSION_ROUTES.refresh, '/auth/refresh', req, { refreshToken });
  return outcome(d, answer, headers);
}

/**
 * Ends the session at auth when its access token is still good (an expired or revoked one has no
 * live session to end); the caller clears the cookies whatever happens here.
 */
export async function signOut(d: Deps, req: SessionRequest, accessToken: string | undefined): Promise<void> {
  requireCsrf(d, req);
  await consumeLimit(d, BROWSER_SESSION_ROUTES.signOut.rateLimit, { ip: req.ip });
  if (!accessToken) return;
  let admitted;
  try {
    admitted = await admit(d, LOGOUT, { method: 'POST', credentials: { bearer: accessToken }, ip: req.ip });
  } catch (e) {
    if (e instanceof AppError && e.code === 'AUTH_REQUIRED') return;
    throw e;
  }
  const answer = await forward(d, LOGOUT, { method: 'POST', url: LOGOUT.path, headers: {}, body: undefined, ip: req.ip, requestId: req.requestId }, admitted);
  if (answer.status >= 500) throw new AppError('UPSTREAM_UNAVAILABLE', 'The auth service could not end the session');
}
