import { reader } from '@stampede/chassis/clients/orm';
import type { Deps } from '../deps';
import type { Actor } from '../domain/access';
import { auditView } from '../domain/audit';
import { paged, type Page } from '../domain/paging';
import { listAudit, type AuditFilters } from '../store/audit';

/** Who did what to which sale, promotion or reward request, newest first (AUDITOR and ADMIN). */
export async function listAuditEntries(d: Deps, _actor: Actor, input: AuditFilters & Page) {
  const [entries, total] = await listAudit(reader(d.orm), input, input);
  return paged(entries.map(auditView), total, input);
}
