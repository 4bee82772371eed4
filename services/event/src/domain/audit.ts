/** What an audit line can be about; a promotion is recorded as `event`, the name clients know. */
export const AUDIT_ENTITY_TYPES = ['sale', 'event', 'reward_request'] as const;

/** One operator or admin action: who, what, on which entity, the state before and after, when. */
export interface AuditEntry {
  id: string;
  actorId: string;
  actorRoles: string[];
  action: string;
  entityType: (typeof AUDIT_ENTITY_TYPES)[number];
  entityId: string;
  before?: unknown;
  after?: unknown;
  requestId?: string | null;
  at: Date;
}

export const auditView = (a: AuditEntry) => ({
  id: a.id,
  actor: { userId: a.actorId, roles: a.actorRoles },
  action: a.action,
  entity: { type: a.entityType, id: a.entityId },
  before: a.before ?? null,
  after: a.after ?? null,
  requestId: a.requestId ?? null,
  at: a.at.toISOString(),
});
