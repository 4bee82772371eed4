import { randomUUID } from 'node:crypto';
import type { FilterQuery } from '@mikro-orm/core';
import type { Em } from '@stampede/chassis/clients/orm';
import type { Actor } from '../domain/access';
import type { AuditEntry } from '../domain/audit';
import type { Page } from '../domain/paging';
import { AuditEntity } from './entities';

export interface AuditInput {
  actor: Actor;
  action: string;
  entityType: AuditEntry['entityType'];
  entityId: string;
  before?: unknown;
  after?: unknown;
}

/** Queued in the caller's transaction, so the change and its audit line commit together or not at all. */
export function recordAudit(em: Em, a: AuditInput): void {
  em.create(AuditEntity, {
    id: randomUUID(),
    actorId: a.actor.userId,
    actorRoles: a.actor.roles,
    action: a.action,
    entityType: a.entityType,
    entityId: a.entityId,
    before: a.before ?? null,
    after: a.after ?? null,
    requestId: a.actor.requestId ?? null,
    at: new Date(),
  });
}

export interface AuditFilters {
  entityType?: AuditEntry['entityType'] | undefined;
  entityId?: string | undefined;
  actorId?: string | undefined;
  action?: string | undefined;
  since?: Date | undefined;
  until?: Date | undefined;
}

export async function listAudit(em: Em, f: AuditFilters, page: Page): Promise<[AuditEntry[], number]> {
  const where: FilterQuery<AuditEntry> = {};
  if (f.entityType) where.entityType = f.entityType;
  if (f.entityId) where.entityId = f.entityId;
  if (f.actorId) where.actorId = f.actorId;
  if (f.action) where.action = f.action;
  if (f.since || f.until) where.at = { ...(f.since ? { $gte: f.since } : {}), ...(f.until ? { $lt: f.until } : {}) };
  return em.findAndCount(AuditEntity, where, { orderBy: { at: 'desc', id: 'desc' }, limit: page.limit, offset: page.offset });
}
