import type { AuditEntityType, AuditEntryView } from '@stampede/contracts/api';

/** One operator or admin action: who, what, on which entity, the state before and after, when. */
export interface AuditEntry {
  id: string;
  actorId: string;
  actorRoles: string[];
  action: string;
  entityType: AuditEntityType;
  entityId: string;
  before?: unknown;
  after?: unknown;
  requestId?: string | null;
  at: Date;
}

export const auditView = (a: AuditEntry): AuditEntryView => ({
  id: a.id,
  actor: { userId: a.actorId, roles: a.actorRoles },
  action: a.action,
  entity: { type: a.entityType, id: a.entityId },
  before: a.before ?? null,
  after: a.after ?? null,
  requestId: a.requestId ?? null,
  at: a.at.toISOString(),
});
