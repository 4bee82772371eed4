import type { BrowserSessionView } from '@stampede/contracts/api';
import { solveProof } from './proof';

/** An error answer of the API: `{"error":{"code","message","requestId","details"}}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

/**
 * The CSRF token of this page (the gateway also set it as an HttpOnly cookie): echoed in
 * X-CSRF-Token on every call that changes state. Kept in memory only.
 */
let csrfToken: string | undefined;

async function csrf(): Promise<string> {
  if (!csrfToken) {
    const res = await fetch('/csrf/token', { method: 'POST', credentials: 'same-origin' });
    const body = (await res.json()) as { token?: string; error?: { code: string; message: string } };
    if (!res.ok || !body.token) throw new ApiError(res.status, body.error?.code ?? 'CSRF', body.error?.message ?? 'No CSRF token');
    csrfToken = body.token;
  }
  return csrfToken;
}

async function send(method: string, path: string, body: unknown, headers: Record<string, string>): Promise<Response> {
  const h: Record<string, string> = { accept: 'application/json', ...headers };
  if (method !== 'GET') h['x-csrf-token'] = await csrf();
  if (body !== undefined) h['content-type'] = 'application/json';
  return fetch(path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
}

async function parse<T>(res: Response): Promise<T> {
  const text = await res.text();
  const json = text ? (JSON.parse(text) as unknown) : undefined;
  if (res.ok) return json as T;
  const e = (json as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
  throw new ApiError(res.status, e?.code ?? `HTTP_${res.status}`, e?.message ?? res.statusText, e?.details);
}

/**
 * A call to the public API with the session's cookies. An expired CSRF token is fetched anew
 * and an expired access token refreshed, each once, before the call is given up.
 */
export async function api<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  let res = await send(method, path, body, headers);
  if (res.status === 403 && method !== 'GET' && (await res.clone().json().catch(() => ({}))).error?.code === 'CSRF_INVALID') {
    csrfToken = undefined;
    res = await send(method, path, body, headers);
  }
  if (res.status === 401 && !path.startsWith('/browser/session') && currentSession() && (await refreshSession())) res = await send(method, path, body, headers);
  return parse<T>(res);
}

// The session: the tokens live in HttpOnly cookies; the page keeps only who is signed in.

const KEY = 'stampede.session';
let refreshTimer: ReturnType<typeof setTimeout> | undefined;

export function currentSession(): BrowserSessionView | undefined {
  const raw = sessionStorage.getItem(KEY);
  return raw ? (JSON.parse(raw) as BrowserSessionView) : undefined;
}

function keep(view: BrowserSessionView | undefined): void {
  clearTimeout(refreshTimer);
  if (!view) {
    sessionStorage.removeItem(KEY);
    return;
  }
  sessionStorage.setItem(KEY, JSON.stringify(view));
  // Refresh a minute before the access cookie's token expires.
  refreshTimer = setTimeout(() => void refreshSession(), Math.max(10, view.expiresIn - 60) * 1000);
}

async function refreshSession(): Promise<boolean> {
  try {
    keep(await parse<BrowserSessionView>(await send('POST', '/browser/session/refresh', undefined, {})));
    return true;
  } catch {
    keep(undefined);
    return false;
  }
}

/** Signs in; when auth asks for a proof of work (428), solves it and signs in again with it. */
export async function signIn(email: string, password: string, onProof?: () => void): Promise<BrowserSessionView> {
  try {
    const view = await api<BrowserSessionView>('POST', '/browser/session', { email, password });
    keep(view);
    return view;
  } catch (e) {
    if (!(e instanceof ApiError) || e.code !== 'PROOF_OF_WORK_REQUIRED') throw e;
    const { challenge, bits } = e.details as { challenge: string; bits: number };
    onProof?.();
    const proof = await solveProof(challenge, bits);
    const view = await api<BrowserSessionView>('POST', '/browser/session', { email, password, proof });
    keep(view);
    return view;
  }
}

export async function signUp(email: string, password: string): Promise<void> {
  await api('POST', '/users', { email, password });
}

export async function signOut(): Promise<void> {
  try {
    await api('DELETE', '/browser/session');
  } finally {
    keep(undefined);
  }
}

export const isStaff = (s: BrowserSessionView | undefined) => Boolean(s?.roles.some((r) => r === 'OPERATOR' || r === 'ADMIN' || r === 'AUDITOR'));

/** A message for people: the API's own, which already says what went wrong. */
export const describe = (e: unknown) => (e instanceof ApiError ? `${e.message} (${e.code})` : e instanceof Error ? e.message : String(e));
