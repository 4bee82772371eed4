import { z } from 'zod';
import { instant, krw, pageOf, pageQuery } from './common';

export const ORDER_STATUSES = ['CONFIRMED', 'CANCELLED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

export const ordersQuery = z
  .object({
    saleId: z.string().min(1).max(64).optional(),
    status: z.enum(ORDER_STATUSES).optional(),
    ...pageQuery,
  })
  .strict();

/** The record of one paid seat (or seats), from the payment events; the hold it came from stays internal. */
export const orderView = z.strictObject({
  id: z.string(),
  paymentId: z.string(),
  /** The payment service's order id. */
  orderId: z.string(),
  saleId: z.string(),
  userId: z.string(),
  sku: z.string(),
  qty: z.number().int().positive(),
  amount: krw,
  status: z.enum(ORDER_STATUSES),
  confirmedAt: instant.nullable(),
  refundedAt: instant.nullable(),
}).meta({ id: 'Order' });
export type OrderView = z.infer<typeof orderView>;
export const orderPage = pageOf(orderView, 'OrderPage');
