import { z } from 'zod';
import { instant, isoDateTime, pageOf, pageQuery } from './common';

/** What an audit line can be about; a promotion is recorded as `event`, the name clients know. */
export const AUDIT_ENTITY_TYPES = ['sale', 'event', 'reward_request'] as const;
export type AuditEntityType = (typeof AUDIT_ENTITY_TYPES)[number];

export const auditQuery = z.object({
  entityType: z.enum(AUDIT_ENTITY_TYPES).optional(),
  entityId: z.string().min(1).max(64).optional(),
  actorId: z.string().min(1).max(64).optional(),
  action: z.string().min(1).max(64).optional(),
  since: isoDateTime.optional(),
  until: isoDateTime.optional(),
  ...pageQuery,
});

/** One operator or admin action: who, what, on which entity, the state before and after, when. */
export const auditEntryView = z.strictObject({
  id: z.string(),
  actor: z.strictObject({ userId: z.string(), roles: z.array(z.string()) }),
  action: z.string(),
  entity: z.strictObject({ type: z.enum(AUDIT_ENTITY_TYPES), id: z.string() }),
  /** The entity's view before and after the action (null when there was none). */
  before: z.unknown(),
  after: z.unknown(),
  requestId: z.string().nullable(),
  at: instant,
}).meta({ id: 'AuditEntry' });
export type AuditEntryView = z.infer<typeof auditEntryView>;
export const auditPage = pageOf(auditEntryView, 'AuditPage');
