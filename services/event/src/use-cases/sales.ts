import { randomUUID } from 'node:crypto';
import { reader, transaction } from '@stampede/chassis/clients/orm';
import { AppError } from '@stampede/chassis/errors';
import type { SaleStatus } from '@stampede/contracts';
import { createSaleSchema, type ArmResult, type CreateSale, type SaleStats, type UpdateSale } from '@stampede/contracts/api';
import { armSale as armInventory, readInventory } from '@stampede/ledger';
import type { Deps } from '../deps';
import { isStaff, type Actor } from '../domain/access';
import { parseInput } from '../domain/input';
import { paged, type Page } from '../domain/paging';
import { publicView, staffView, touch, type Sale } from '../domain/sale';
import { asInput, saleFields } from '../domain/sale-input';
import { ARMABLE, assertTransition, isEditable, PUBLIC_STATUSES } from '../domain/sale-status';
import { recordAudit } from '../store/audit';
import { findSale, insertSale, listSales as findSales, lockSale, saleRevenue, type SaleFilters } from '../store/sales';

const notFound = () => new AppError('NOT_FOUND', 'Sale not found');

/** Writes the sale's inventory to Redis once; true when this call wrote it. */
async function arm(d: Deps, s: Sale): Promise<boolean> {
  const armedNow = await armInventory(d.redis, { saleId: s.id, total: s.stock, limit: s.perUserLimit, holdTtlSeconds: s.holdTtlSeconds });
  d.metrics.armed.inc({ result: armedNow ? 'armed' : 'already_armed' });
  return armedNow;
}

/** A new sale is a DRAFT: nothing reaches shoppers or Redis until it is scheduled and armed. */
export async function createSale(d: Deps, actor: Actor, input: CreateSale) {
  return transaction(d.orm, async (em) => {
    const s = insertSale(em, { id: randomUUID(), ...saleFields(input), status: 'DRAFT', createdBy: actor.userId });
    const view = staffView(s);
    recordAudit(em, { actor, action: 'sale.create', entityType: 'sale', entityId: s.id, after: view });
    return view;
  });
}

export async function listSales(d: Deps, actor: Actor, input: SaleFilters & Page) {
  const staff = isStaff(actor);
  // Shoppers only ever see scheduled-or-later sales, whatever they filter on.
  const status: SaleStatus[] | undefined = staff ? input.status : (input.status ?? [...PUBLIC_STATUSES]).filter((s) => PUBLIC_STATUSES.includes(s));
  const [sales, total] = await findSales(reader(d.orm), { ...input, status }, input);
  return paged(sales.map(staff ? staffView : publicView), total, input);
}

export async function getSale(d: Deps, actor: Actor, id: string) {
  const sale = await findSale(reader(d.orm), id);
  if (!sale) throw notFound();
  if (isStaff(actor)) return staffView(sale);
  if (!PUBLIC_STATUSES.includes(sale.status)) throw notFound();
  return publicView(sale);
}

/** Only a draft changes; the patched sale must still be a valid sale as a whole. */
export async function updateSale(d: Deps, actor: Actor, input: { id: string; patch: UpdateSale }) {
  return transaction(d.orm, async (em) => {
    const s = await lockSale(em, input.id);
    if (!s) throw notFound();
    if (!isEditable(s.status)) throw new AppError('CONFLICT', `Only a DRAFT sale can be changed; this one is ${s.status}`);
    const before = staffView(s);
    Object.assign(s, saleFields(parseInput(createSaleSchema, { ...asInput(s), ...input.patch })));
    touch(s);
    const after = staffView(s);
    recordAudit(em, { actor, action: 'sale.update', entityType: 'sale', entityId: s.id, before, after });
    return after;
  });
}

export async function transitionSale(d: Deps, actor: Actor, input: { id: string; to: SaleStatus }) {
  return transaction(d.orm, async (em) => {
    const s = await lockSale(em, input.id);
    if (!s) throw notFound();
    assertTransition(s.status, input.to);
    const before = staffView(s);
    // Opening arms the inventory if the operator has not yet: an open sale with no seats in Redis
    // would turn every shopper away. Arming is idempotent, so a retry after a failed commit is safe.
    if (input.to === 'OPEN' && !s.armedAt) {
      await arm(d, s);
      s.armedAt = new Date();
    }
    s.status = input.to;
    touch(s);
    const after = staffView(s);
    recordAudit(em, { actor, action: 'sale.transition', entityType: 'sale', entityId: s.id, before, after });
    return after;
  });
}

/**
 * Writes a scheduled, open or paused sale's inventory to Redis, once however often it is asked
 * (concurrent requests included: the row lock queues them, and the ledger writes only if absent).
 */
export async function armSale(d: Deps, actor: Actor, id: string): Promise<ArmResult> {
  const result = await transaction(d.orm, async (em) => {
    const s = await lockSale(em, id);
    if (!s) throw notFound();
    if (!ARMABLE.includes(s.status)) {
      throw new AppError('CONFLICT', `A ${s.status} sale cannot be armed (allowed: ${ARMABLE.join(', ')})`);
    }
    const before = staffView(s);
    const armedNow = await arm(d, s);
    if (!s.armedAt) {
      s.armedAt = new Date();
      s.updatedAt = s.armedAt;
    }
    recordAudit(em, { actor, action: 'sale.arm', entityType: 'sale', entityId: s.id, before, after: { ...staffView(s), armedNow } });
    return { armedAt: s.armedAt, armedNow };
  });
  const inventory = await readInventory(d.redis, id);
  return { saleId: id, armedNow: result.armedNow, armedAt: result.armedAt?.toISOString() ?? null, inventory };
}

/** What was sold (PostgreSQL, the record) next to what Redis holds live. */
export async function saleStats(d: Deps, _actor: Actor, id: string): Promise<SaleStats> {
  const em = reader(d.orm);
  const sale = await findSale(em, id);
  if (!sale) throw notFound();
  const [revenue, inventory] = await Promise.all([saleRevenue(em, id), readInventory(d.redis, id)]);
  return {
    saleId: id,
    status: sale.status,
    stock: sale.stock,
    // PostgreSQL's count of recorded orders: the record of what was sold.
    sold: sale.sold,
    // Redis's live view; null until the sale is armed.
    held: inventory ? inventory.held : null,
    available: inventory ? inventory.available : null,
    revenue,
    armed: inventory !== undefined,
    redisSold: inventory ? inventory.sold : null,
  };
}
