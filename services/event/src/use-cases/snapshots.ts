import { reader } from '@stampede/chassis/clients/orm';
import { AppError } from '@stampede/chassis/errors';
import { saleSnapshotSchema, type SaleSnapshot } from '@stampede/contracts';
import type { Deps } from '../deps';
import { toSnapshot } from '../domain/sale';
import { findSale } from '../store/sales';

/**
 * The sale as the entry and payment services validate against it, for a service, not a user
 * (no actor). One primary-key read: callers cache it and revalidate by its version.
 */
export async function saleSnapshot(d: Deps, saleId: string): Promise<SaleSnapshot> {
  const sale = await findSale(reader(d.orm), saleId);
  if (!sale) throw new AppError('NOT_FOUND', 'Sale not found');
  return saleSnapshotSchema.parse(toSnapshot(sale));
}
