import type { Principal } from './identity';
import type { Conditions } from './sale-snapshot';

export type Eligibility = { eligible: true } | { eligible: false; reason: string };

const DAY_MS = 86_400_000;

/**
 * Pure check of a user against a sale's or an event's conditions. `reason` is safe to show the user.
 */
export function checkEligibility(conditions: Conditions, who: Principal, now = Date.now()): Eligibility {
  if (conditions.roles && !conditions.roles.some((r) => who.roles.includes(r))) {
    return { eligible: false, reason: `requires one of the roles ${conditions.roles.join(', ')}` };
  }
  if (conditions.minAccountAgeDays !== undefined) {
    const ageDays = who.accountCreatedAt === undefined ? -1 : (now - who.accountCreatedAt) / DAY_MS;
    if (ageDays < conditions.minAccountAgeDays) {
      return { eligible: false, reason: `account must be at least ${conditions.minAccountAgeDays} days old` };
    }
  }
  if (conditions.allowList && !conditions.allowList.includes(who.userId)) {
    return { eligible: false, reason: 'not on the allow-list for this sale' };
  }
  return { eligible: true };
}
