import { Counter } from 'prom-client';
import type { Metrics } from '@stampede/chassis';

export interface EventMetrics {
  paymentEvents: Counter<'type' | 'outcome'>;
  ordersRejected: Counter<'reason'>;
  armed: Counter<'result'>;
}

export function createEventMetrics(metrics: Metrics): EventMetrics {
  const registers = [metrics.registry];
  return {
    paymentEvents: new Counter({
      name: 'stampede_payment_events_total',
      help: 'Payment events consumed by the event service, by type and what they did',
      labelNames: ['type', 'outcome'] as const,
      registers,
    }),
    // Any increase means Redis let through a seat PostgreSQL does not have: alert on it.
    ordersRejected: new Counter({
      name: 'stampede_orders_rejected_total',
      help: 'Confirmed payments not recorded as orders because the PostgreSQL stock guard refused them',
      labelNames: ['reason'] as const,
      registers,
    }),
    armed: new Counter({
      name: 'stampede_sale_arm_total',
      help: 'Arm requests, by whether they wrote the inventory or found it armed',
      labelNames: ['result'] as const,
      registers,
    }),
  };
}
