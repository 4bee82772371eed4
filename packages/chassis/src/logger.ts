import pino, { type DestinationStream, type Logger } from 'pino';


/** Field names that never reach a log line, at any depth we log at. */
export const SENSITIVE_KEYS = [
  'password',
  'newPassword',
  'passwordHash',
  'token',
  'accessToken',
  'refreshToken',
  'reservationToken',
  'idToken',
  'id_token',
  'authorization',
  'cookie',
  'set-cookie',
  'x-csrf-token',
  'x-stampede-identity',
  'paymentKey',
  'billingKey',
  'cardNumber',
  'cvv',
  'customerKey',
  'authKey',
  'secret',
  'secretKey',
  'clientSecret',
  'apiKey',
  'x-api-key',
  'signature',
  'x-signature',
] as const;

function redactPaths(): string[] {
  const paths: string[] = [];
  for (const key of SENSITIVE_KEYS) {
    const k = /^[A-Za-z_$][\w$]*$/.test(key) ? key : `["${key}"]`;
    const join = (prefix: string) => (k.startsWith('[') ? `${prefix}${k}` : `${prefix}.${k}`);
    if (!k.startsWith('[')) paths.push(k);
    paths.push(join('*'), join('*.*'), join('*.*.*'));
  }
  return paths;
}

export interface LoggerOptions {
  service: string;
  level?: string;
  destination?: DestinationStream;
}

export function createLogger({ service, level = 'info', destination }: LoggerOptions): Logger {
  // Asynchronous writes to stdout: one access line per request would otherwise cost a blocking
  // write(2) each; lines written while one write is in flight go out together, and pino flushes
  // what is left when the process exits.
  destination ??= pino.destination({ dest: 1, sync: false });
  return pino(
    {
      level,
      base: { service },
      redact: { paths: redactPaths(), censor: '[REDACTED]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
