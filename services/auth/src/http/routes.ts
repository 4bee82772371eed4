import { authenticate, principalOf, requireRoles } from '@stampede/chassis/auth';
import { parse } from '@stampede/chassis/http';
import {
  loginBody,
  refreshBody,
  rolesBody,
  signUpBody,
  socialBody,
  socialParams,
  userIdParams,
  type TokenPairBody,
} from '@stampede/contracts/api';
import type { Express, Response } from 'express';
import type { Deps } from '../deps';
import { getUser, setRoles, signUp } from '../use-cases/accounts';
import { logout, passwordLogin, refresh, socialLogin, type TokenPair } from '../use-cases/sessions';

// Token responses must never be cached by a browser or a proxy: a stored copy is a usable credential.
const sendTokens = (res: Response, status: number, pair: TokenPair) => {
  const body: TokenPairBody = { accessToken: pair.accessToken, refreshToken: pair.refreshToken, expiresIn: pair.expiresIn };
  res.setHeader('Cache-Control', 'no-store');
  res.status(status).json(body);
};

export function routes(app: Express, d: Deps): void {
  const authed = authenticate(d.verifier);

  app.get('/.well-known/jwks.json', (_req, res) => {
    // Short enough that a rotation is seen within minutes, long enough to spare auth.
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.json(d.keys.jwks);
  });

  app.post('/users', async (req, res) => {
    const { email, password } = parse(signUpBody, req.body);
    res.status(201).json(await signUp(d, email, password));
  });

  app.get('/users/:id', authed, async (req, res) => {
    const { id } = parse(userIdParams, req.params, 'path');
    res.json(await getUser(d, principalOf(req), id));
  });

  app.put('/users/:id/roles', authed, requireRoles('ADMIN'), async (req, res) => {
    const { id } = parse(userIdParams, req.params, 'path');
    const { roles } = parse(rolesBody, req.body);
    res.json(await setRoles(d, principalOf(req), id, roles));
  });

  app.post('/auth/login', async (req, res) => {
    const { email, password, proof } = parse(loginBody, req.body);
    sendTokens(res, 200, await passwordLogin(d, { email, password, proof }, req.ip ?? 'unknown'));
  });

  app.post('/auth/refresh', async (req, res) => {
    const { refreshToken } = parse(refreshBody, req.body);
    sendTokens(res, 200, await refresh(d, refreshToken));
  });

  app.post('/auth/logout', authed, async (req, res) => {
    await logout(d, principalOf(req));
    res.status(204).end();
  });

  app.post('/auth/social/:provider', async (req, res) => {
    const { provider } = parse(socialParams, req.params, 'path');
    const { idToken, nonce } = parse(socialBody, req.body);
    const result = await socialLogin(d, provider, idToken, nonce);
    sendTokens(res, result.created ? 201 : 200, result);
  });
}
