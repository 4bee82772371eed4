export const ROLES = ['USER', 'OPERATOR', 'AUDITOR', 'ADMIN'] as const;
export type Role = (typeof ROLES)[number];

/** Who made a request, as proven by a verified access token and a live session. */
export interface Principal {
  userId: string;
  roles: Role[];
  sessionId: string;
  /** Account creation time (ms), from the token's `uca` claim (seconds), for account-age rules. */
  accountCreatedAt?: number;
}

export const hasAnyRole = (p: Principal, roles: readonly Role[]) => roles.some((r) => p.roles.includes(r));
