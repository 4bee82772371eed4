import { bearerToken } from '@stampede/chassis/auth';
import type { Request } from 'express';
import type { Credentials } from '../use-cases/proxy';
import { ACCESS_COOKIE, CSRF_COOKIE, parseCookies } from './cookies';

/** The tokens a request presents: a bearer header, or the access cookie with its CSRF pair. */
export function credentialsOf(req: Request): Credentials {
  const bearer = bearerToken(req.header('authorization'));
  if (bearer) return { bearer };
  const cookies = parseCookies(req.header('cookie'));
  return { cookie: cookies[ACCESS_COOKIE], csrfHeader: req.header('x-csrf-token'), csrfCookie: cookies[CSRF_COOKIE] };
}
