import { reader, transaction } from '@stampede/chassis/clients/orm';
import type { PaymentEvent } from '@stampede/contracts';
import type { Deps } from '../deps';
import { isStaff, type Actor } from '../domain/access';
import { orderView, type OrderStatus } from '../domain/orders';
import { paged, type Page } from '../domain/paging';
import {
  applyConfirmed,
  applyRefunded,
  listOrders as findOrders,
  OrderRefused,
  type ConfirmOutcome,
  type Confirmed,
  type RefundOutcome,
  type Refunded,
} from '../store/orders';

/** What was sold, as recorded from payment events: a shopper sees their own, staff see all. */
export async function listOrders(d: Deps, actor: Actor, input: { saleId?: string | undefined; status?: OrderStatus | undefined } & Page) {
  const userId = isStaff(actor) ? undefined : actor.userId;
  const [orders, total] = await findOrders(reader(d.orm), { userId, saleId: input.saleId, status: input.status }, input);
  return paged(orders.map(orderView), total, input);
}

/** Records a confirmed payment's order once, within the sale's stock as PostgreSQL counts it. */
export async function recordConfirmation(d: Pick<Deps, 'orm'>, payment: Confirmed): Promise<ConfirmOutcome> {
  try {
    return await transaction(d.orm, (em) => applyConfirmed(em, payment));
  } catch (e) {
    if (e instanceof OrderRefused) return e.result;
    throw e;
  }
}

/** Cancels a refunded payment's order once (or marks the payment refunded before it is confirmed). */
export async function recordRefund(d: Pick<Deps, 'orm'>, payment: Refunded): Promise<RefundOutcome> {
  return transaction(d.orm, (em) => applyRefunded(em, payment));
}

/**
 * Applies one payment event from Kafka; `origin` (topic, partition, offset) goes into its log
 * line. Throwing makes the consumer redeliver it, which both recorders tolerate.
 */
export async function applyPaymentEvent(d: Deps, origin: Record<string, unknown>, event: PaymentEvent): Promise<void> {
  const p = event.payment;
  const ids = { ...origin, eventId: event.eventId, paymentId: p.paymentId, saleId: p.saleId, qty: p.qty };
  if (event.type === 'payment.confirmed') {
    const result = await recordConfirmation(d, event.payment);
    d.metrics.paymentEvents.inc({ type: event.type, outcome: result.outcome });
    if (result.outcome === 'rejected') {
      // Redis let through a seat PostgreSQL does not have: counted, and the alert pages on it.
      d.metrics.ordersRejected.inc({ reason: result.reason });
      d.logger.error(
        { ...ids, reason: result.reason, sold: result.sold, stock: result.stock },
        'confirmed payment rejected by the PostgreSQL stock guard: order not recorded',
      );
    } else {
      d.logger.info({ ...ids, outcome: result.outcome }, 'payment confirmed');
    }
  } else {
    const result = await recordRefund(d, event.payment);
    d.metrics.paymentEvents.inc({ type: event.type, outcome: result.outcome });
    d.logger.info({ ...ids, outcome: result.outcome }, 'payment refunded');
  }
}
