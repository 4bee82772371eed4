import type { FilterQuery } from '@mikro-orm/core';
import { LockMode } from '@mikro-orm/core';
import type { Em } from '@stampede/chassis/clients/orm';
import type { SaleStatus } from '@stampede/contracts';
import type { Page } from '../domain/paging';
import type { Sale } from '../domain/sale';
import { SaleEntity } from './entities';

export type NewSale = Omit<Sale, 'sold' | 'version' | 'armedAt' | 'createdAt' | 'updatedAt'>;

export function insertSale(em: Em, s: NewSale): Sale {
  const now = new Date();
  return em.create(SaleEntity, { ...s, sold: 0, version: 1, armedAt: null, createdAt: now, updatedAt: now });
}

export async function findSale(em: Em, id: string): Promise<Sale | null> {
  return em.findOne(SaleEntity, { id });
}

/** Inside a transaction: the row locked until commit, so concurrent writers apply one at a time. */
export async function lockSale(em: Em, id: string): Promise<Sale | null> {
  return em.findOne(SaleEntity, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
}

export interface SaleFilters {
  status?: SaleStatus[] | undefined;
  sku?: string | undefined;
  opensFrom?: Date | undefined;
  opensUntil?: Date | undefined;
}

export async function listSales(em: Em, f: SaleFilters, page: Page): Promise<[Sale[], number]> {
  const where: FilterQuery<Sale> = {};
  if (f.status) where.status = { $in: f.status };
  if (f.sku) where.sku = f.sku;
  if (f.opensFrom || f.opensUntil) {
    where.opensAt = { ...(f.opensFrom ? { $gte: f.opensFrom } : {}), ...(f.opensUntil ? { $lt: f.opensUntil } : {}) };
  }
  return em.findAndCount(SaleEntity, where, {
    orderBy: { opensAt: 'desc', id: 'asc' },
    limit: page.limit,
    offset: page.offset,
  });
}

/** Net revenue (integer KRW) of the sale's orders that still stand. */
export async function saleRevenue(em: Em, saleId: string): Promise<number> {
  const rows = await em.execute<{ revenue: string | null }[]>(
    `select coalesce(sum(amount), 0) as revenue from orders where sale_id = ? and status = 'CONFIRMED'`,
    [saleId],
  );
  return Number(rows[0]?.revenue ?? 0);
}

/** A sale's stock and sold seats, read from one row so the two are of the same moment. */
export interface SaleSeats {
  id: string;
  stock: number;
  sold: number;
}

/** Stock and sold seats of the sales shoppers can see, the most recently opening first. */
export async function seatsOfVisibleSales(em: Em, limit: number): Promise<SaleSeats[]> {
  return em.execute<SaleSeats[]>(
    `select id, stock, sold from sales where status in ('OPEN', 'PAUSED', 'CLOSED', 'SCHEDULED')
     order by opens_at desc limit ?`,
    [limit],
  );
}
