import type { Conditions, SaleSnapshot, SaleStatus } from '@stampede/contracts';
import type { PublicSaleView, RefundPolicy, StaffSaleView } from '@stampede/contracts/api';

/** A sale as stored (one row of `sales`). */
export interface Sale {
  id: string;
  name: string;
  sku: string;
  productName: string;
  /** Integer KRW. */
  unitPrice: number;
  stock: number;
  perUserLimit: number;
  opensAt: Date;
  closesAt: Date;
  holdTtlSeconds: number;
  conditions: Conditions;
  refundPolicy: RefundPolicy;
  status: SaleStatus;
  /** Seats sold according to recorded orders; the guard keeps it within stock. */
  sold: number;
  version: number;
  armedAt?: Date | null;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

/** What the entry and payment services validate against (the shared `SaleSnapshot` contract). */
export function toSnapshot(s: Sale): SaleSnapshot {
  return {
    saleId: s.id,
    status: s.status,
    opensAt: s.opensAt.toISOString(),
    closesAt: s.closesAt.toISOString(),
    sku: s.sku,
    productName: s.productName,
    unitPrice: s.unitPrice,
    stock: s.stock,
    perUserLimit: s.perUserLimit,
    holdTtlSeconds: s.holdTtlSeconds,
    conditions: s.conditions,
    refundPolicy: s.refundPolicy,
    version: s.version,
  };
}

/** What any signed-in shopper may read. Conditions stay private: an allow-list names other users. */
export function publicView(s: Sale): PublicSaleView {
  return {
    id: s.id,
    name: s.name,
    product: { sku: s.sku, name: s.productName },
    unitPrice: s.unitPrice,
    stock: s.stock,
    perUserLimit: s.perUserLimit,
    opensAt: s.opensAt.toISOString(),
    closesAt: s.closesAt.toISOString(),
    holdTtlSeconds: s.holdTtlSeconds,
    status: s.status,
  };
}

/** The full record, for operators, auditors and the audit log. */
export function staffView(s: Sale): StaffSaleView {
  return {
    ...publicView(s),
    conditions: s.conditions,
    refundPolicy: s.refundPolicy,
    sold: s.sold,
    version: s.version,
    armedAt: s.armedAt ? s.armedAt.toISOString() : null,
    createdBy: s.createdBy,
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  };
}

/** Every change a shopper or the entry service could notice bumps the version (the snapshot ETag). */
export function touch(s: Sale): void {
  s.version += 1;
  s.updatedAt = new Date();
}
