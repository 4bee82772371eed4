import type { CreateSale } from '@stampede/contracts/api';
import type { Sale } from './sale';

// What a valid sale is (createSaleSchema, updateSaleSchema) is the public API's contract; the
// sale use cases check a patched draft against it again. Here: moving between its shape and a row.

/** The sale's editable fields in the request shape, so a patch is merged and re-validated whole. */
export const asInput = (s: Sale): CreateSale => ({
  name: s.name,
  product: { sku: s.sku, name: s.productName },
  unitPrice: s.unitPrice,
  stock: s.stock,
  perUserLimit: s.perUserLimit,
  opensAt: s.opensAt.toISOString(),
  closesAt: s.closesAt.toISOString(),
  holdTtlSeconds: s.holdTtlSeconds,
  conditions: s.conditions,
  refundPolicy: s.refundPolicy,
});

/** The stored fields of a sale from a valid input. */
export const saleFields = (v: CreateSale) => ({
  name: v.name,
  sku: v.product.sku,
  productName: v.product.name,
  unitPrice: v.unitPrice,
  stock: v.stock,
  perUserLimit: v.perUserLimit,
  opensAt: new Date(v.opensAt),
  closesAt: new Date(v.closesAt),
  holdTtlSeconds: v.holdTtlSeconds,
  conditions: v.conditions,
  refundPolicy: v.refundPolicy,
});
