import { Router } from 'express';
import { z } from 'zod';
import { requireRoles } from '@stampede/chassis/auth';
import { auditView } from '../domain/audit';
import { listAudit } from '../store/audit';
import { reader } from '@stampede/chassis/clients/orm';
import { isoDateTime, paged, pageQuery, parseInput } from './common';
import type { Deps } from './deps';

const auditQuery = z.object({
  entityType: z.enum(['sale', 'event', 'reward_request']).optional(),
  entityId: z.string().min(1).max(64).optional(),
  actorId: z.string().min(1).max(64).optional(),
  action: z.string().min(1).max(64).optional(),
  since: isoDateTime.optional(),
  until: isoDateTime.optional(),
  ...pageQuery,
});

export function auditRoutes({ orm }: Deps): Router {
  const r = Router();
  r.get('/audit', requireRoles('AUDITOR', 'ADMIN'), async (req, res) => {
    const q = parseInput(auditQuery, req.query, 'query');
    const [entries, total] = await listAudit(
      reader(orm),
      { ...q, since: q.since ? new Date(q.since) : undefined, until: q.until ? new Date(q.until) : undefined },
      q,
    );
    res.json(paged(entries.map(auditView), total, q));
  });
  return r;
}
