import { Counter, type Registry } from 'prom-client';

export interface AuthMetrics {
  logins: Counter<'method' | 'outcome'>;
  refreshes: Counter<'outcome'>;
  sessionsRevoked: Counter<'reason'>;
}

/** Business metrics of auth, next to the chassis' RED metrics in the service's registry. */
export function authMetrics(registry: Registry): AuthMetrics {
  return {
    logins: new Counter({
      name: 'stampede_auth_logins_total',
      help: 'Login attempts by method (password, google, apple, kakao) and outcome',
      labelNames: ['method', 'outcome'] as const,
      registers: [registry],
    }),
    refreshes: new Counter({
      name: 'stampede_auth_refreshes_total',
      help: 'Refresh-token uses by outcome (rotated, reused, invalid, session-ended)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    sessionsRevoked: new Counter({
      name: 'stampede_auth_sessions_revoked_total',
      help: 'Sessions ended by auth, by reason',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
  };
}
