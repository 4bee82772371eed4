import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * Security headers on every response: a CSP that admits only the payment widget's script, frame
 * and API origins besides our own, X-Frame-Options, nosniff, Referrer-Policy, COOP and CORP; plus
 * helmet's other defaults (HSTS...).
 */
const headersMiddleware = () =>
  helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", "'unsafe-inline'", "'unsafe-eval'", 'https://js.tosspayments.com'],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'https:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'", 'https://api.tosspayments.com'],
        frameSrc: ["'self'", 'https://js.tosspayments.com'],
        upgradeInsecureRequests: [],
        blockAllMixedContent: [],
      },
    },
    frameguard: { action: 'sameorigin' },
    noSniff: true,
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
  });

/**
 * The same headers for every answer, so they are computed once: helmet runs a single time
 * against a recording response, and the service sets the recorded values on every response,
 * errors Node's parser raises before any route included.
 */
export function securityHeaders(): Record<string, string> {
  const recorded: Record<string, string> = {};
  const res = {
    setHeader: (name: string, value: string | number | readonly string[]) => {
      recorded[name] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader: () => undefined,
  };
  headersMiddleware()({} as never, res as never, () => undefined);
  return recorded;
}

/** The CORS headers for an allowed origin (none for any other). */
export function corsHeaders(allowed: ReadonlySet<string>, origin: string | undefined): Record<string, string> {
  if (!origin || !allowed.has(origin)) return {};
  return { 'Access-Control-Allow-Origin': origin, 'Access-Control-Allow-Credentials': 'true', Vary: 'Origin' };
}

/**
 * CORS from an allow-list on what Express serves (preflights included): only listed origins get
 * the Access-Control headers, and preflights from anywhere else are answered without them (the
 * browser then blocks the call).
 */
export function cors(allowed: ReadonlySet<string>): RequestHandler {
  return (req, res, next) => {
    for (const [k, v] of Object.entries(corsHeaders(allowed, req.header('origin')))) res.setHeader(k, v);
    if (req.method === 'OPTIONS') {
      if (allowed.has(req.header('origin') ?? '')) {
        res.setHeader('Access-Control-Allow-Methods', 'GET,POST,PUT,PATCH,DELETE');
        res.setHeader('Access-Control-Allow-Headers', 'authorization,content-type,idempotency-key,x-csrf-token,x-request-id');
        res.setHeader('Access-Control-Max-Age', '600');
      }
      res.status(204).end();
      return;
    }
    next();
  };
}
