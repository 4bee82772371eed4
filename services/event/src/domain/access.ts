import { hasAnyRole, type Principal } from '@stampede/contracts';

/** Who asks, and on which request: every audit line records both. */
export interface Actor extends Principal {
  requestId?: string;
}

/** Roles that create and change sales and promotions and decide reward requests. */
export const WRITERS = ['OPERATOR', 'ADMIN'] as const;
/** Roles that read everything (staff). */
export const READERS = ['OPERATOR', 'AUDITOR', 'ADMIN'] as const;

/** Staff see every record and every field; shoppers see their own and the public ones. */
export const isStaff = (p: Principal) => hasAnyRole(p, READERS);
