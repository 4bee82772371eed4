import type { CsrfTokenView } from '@stampede/contracts/api';
import type { Express } from 'express';
import type { Deps } from '../deps';
import { CSRF_TTL_MS } from '../domain/csrf';
import { CSRF_TOKEN_ROUTE, ROUTES } from '../domain/routes';
import { issueCsrf } from '../use-cases/csrf';
import { admit, forward } from '../use-cases/proxy';
import { CSRF_COOKIE } from './cookies';
import { credentialsOf } from './credentials';
import { docs } from './docs';
import { publicRequest, setHeaders, writeAnswer } from './proxy';

/** The API docs, the CSRF token, then every route of the table: admitted, then forwarded. */
export function routes(app: Express, deps: Deps): void {
  docs(app, deps.openapi);

  app.post(CSRF_TOKEN_ROUTE.path, async (req, res) => {
    const { token, expiresIn, headers } = await issueCsrf(deps, { ip: req.ip });
    setHeaders(res, headers);
    res.cookie(CSRF_COOKIE, token, { httpOnly: true, secure: deps.cookieSecure, sameSite: 'strict', path: '/', maxAge: CSRF_TTL_MS });
    const body: CsrfTokenView = { token, expiresIn };
    res.json(body);
  });

  for (const route of ROUTES) {
    if (route.sandbox && !deps.sandboxRoutes) continue;
    app[route.method.toLowerCase() as 'get'](route.path, async (req, res) => {
      const admitted = await admit(deps, route, { method: req.method, credentials: credentialsOf(req), ip: req.ip });
      setHeaders(res, admitted.headers);
      writeAnswer(res, await forward(deps, route, publicRequest(req), admitted));
    });
  }
}
