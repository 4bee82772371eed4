import type { IncomingHttpHeaders } from 'node:http';
import { bearerToken } from '@stampede/chassis/auth';
import type { FastRoute } from '@stampede/chassis/http';
import type { CsrfTokenView } from '@stampede/contracts/api';
import type { Express } from 'express';
import type { Deps } from '../deps';
import { CSRF_TTL_MS } from '../domain/csrf';
import { CSRF_TOKEN_ROUTE, ROUTES } from '../domain/routes';
import { issueCsrf } from '../use-cases/csrf';
import { admit, forward, type Credentials } from '../use-cases/proxy';
import { ACCESS_COOKIE, CSRF_COOKIE, parseCookies } from './cookies';
import { docs } from './docs';
import { corsHeaders } from './security';
import { setHeaders } from './proxy';

/**
 * Every route of the table as a hot route (no Express on the proxy path): admitted, then
 * forwarded byte for byte, the upstream's answer written as is.
 */
export function fastRoutes(deps: Deps): FastRoute[] {
  return ROUTES.filter((route) => !route.sandbox || deps.sandboxRoutes).map(
    (route): FastRoute => ({
      method: route.method,
      path: route.path,
      async handle(req) {
        // CORS and, once counted, the rate limit's headers go with any answer, errors included.
        let headers = corsHeaders(deps.corsOrigins, req.headers.origin);
        try {
          const admitted = await admit(deps, route, { method: req.method, credentials: credentialsOf(req.headers), ip: req.ip });
          headers = { ...headers, ...admitted.headers };
          const body = req.body.length > 0 ? req.body : undefined;
          const answer = await forward(deps, route, { method: req.method, url: req.url, headers: req.headers, body, ip: req.ip, requestId: req.requestId }, admitted);
          return { status: answer.status, headers: { ...headers, ...answer.headers }, body: answer.body };
        } catch (e) {
          for (const [k, v] of Object.entries(headers)) req.response.setHeader(k, v);
          throw e;
        }
      },
    }),
  );
}

/** What Express still serves: the API docs and the CSRF token. */
export function routes(app: Express, deps: Deps): void {
  docs(app, deps.openapi);

  app.post(CSRF_TOKEN_ROUTE.path, async (req, res) => {
    const { token, expiresIn, headers } = await issueCsrf(deps, { ip: req.ip });
    setHeaders(res, headers);
    res.cookie(CSRF_COOKIE, token, { httpOnly: true, secure: deps.cookieSecure, sameSite: 'strict', path: '/', maxAge: CSRF_TTL_MS });
    const body: CsrfTokenView = { token, expiresIn };
    res.json(body);
  });
}

/** The tokens a request presents: a bearer header, or the access cookie with its CSRF pair. */
function credentialsOf(headers: IncomingHttpHeaders): Credentials {
  const bearer = bearerToken(headers.authorization);
  if (bearer) return { bearer };
  const cookies = parseCookies(headers.cookie);
  const csrf = headers['x-csrf-token'];
  return { cookie: cookies[ACCESS_COOKIE], csrfHeader: typeof csrf === 'string' ? csrf : undefined, csrfCookie: cookies[CSRF_COOKIE] };
}
